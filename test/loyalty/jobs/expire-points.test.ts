import { describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import { recordEvents } from "@/lib/loyalty/accrual/record-events";
import { isLoyaltyError } from "@/lib/loyalty/errors";
import { expirePoints } from "@/lib/loyalty/jobs/expire-points";
import { redeemPoints } from "@/lib/loyalty/redemption/redeem-points";
import { ACTOR, NOW, balanceOf, newMember, purchase, useLedgerDatabase } from "../support/ledger";

describe("expirePoints", () => {
  const t = useLedgerDatabase();

  it("expires exactly the past-due remaining points, one row per lot, in batches, and nothing twice", async () => {
    const a = await newMember(t.db, "exp-a");
    const b = await newMember(t.db, "exp-b");
    const events = [];
    for (let i = 0; i < 7; i++) {
      events.push(purchase(i % 2 ? "exp-a" : "exp-b", `exp-old-${i}`, 1_000, "2025-06-01T00:00:00Z"));
    }
    events.push(purchase("exp-a", "exp-fresh", 5_000, "2026-06-01T00:00:00Z"));
    events.push(purchase("exp-a", "exp-edge", 500, "2025-06-15T12:00:00.000Z"));
    await recordEvents(t.db, events, { ...ACTOR, now: NOW });
    await redeemPoints(t.db, { memberId: a.id, points: 3, referenceId: "exp-partial" }, { ...ACTOR, now: new Date("2026-01-01T00:00:00Z") });

    // The lot expiring exactly at NOW is expired (expires_at <= now); the 2026 lot is not touched.
    const first = await expirePoints(t.db, { now: NOW, batchSize: 3 });
    expect(first).toEqual({ lotsExpired: 8, pointsExpired: 7 * 10 + 5 - 3, membersAffected: 2 });
    expect(await expirePoints(t.db, { now: NOW, batchSize: 3 })).toEqual({ lotsExpired: 0, pointsExpired: 0, membersAffected: 0 });
    expect(await balanceOf(t.db, a.id)).toBe(50);
    expect(await balanceOf(t.db, b.id)).toBe(0);
    const rows = await queryRows<{ n: number }>(t.db, sql`SELECT count(*)::int AS n FROM point_transactions WHERE type = 'expire'`);
    expect(rows[0]!.n).toBe(8);
  });

  it("runs beside concurrent redemptions without deadlock or double count", async () => {
    const ids: number[] = [];
    const events = [];
    for (let i = 0; i < 20; i++) {
      ids.push((await newMember(t.db, `exp-c-${i}`)).id);
      events.push(purchase(`exp-c-${i}`, `exp-c-old-${i}`, 10_000, "2025-06-01T00:00:00Z"));
      events.push(purchase(`exp-c-${i}`, `exp-c-new-${i}`, 10_000, "2026-06-01T00:00:00Z"));
    }
    await recordEvents(t.db, events, { ...ACTOR, now: NOW });
    const pool = t.connect(10);
    const redemptions = ids.flatMap((id, i) =>
      [0, 1, 2].map((j) =>
        redeemPoints(pool.db, { memberId: id, points: 40, referenceId: `exp-c-r-${i}-${j}` }, { ...ACTOR, now: NOW }).catch((e: unknown) => {
          if (isLoyaltyError(e) && e.code === "insufficient_points") return null;
          throw e;
        }),
      ),
    );
    const [summary, ...done] = await Promise.all([expirePoints(pool.db, { now: NOW, batchSize: 7 }), ...redemptions]);
    // Only the fresh 100 points per member are redeemable: two redemptions of 40 each at most.
    expect(done.filter(Boolean)).toHaveLength(40);
    expect(summary).toMatchObject({ lotsExpired: 20, pointsExpired: 2000 });
    for (const id of ids) expect(await balanceOf(t.db, id)).toBe(20);
  });
});
