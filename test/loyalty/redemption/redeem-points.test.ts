import { describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import { rewards } from "@/db/schema";
import { recordEvent } from "@/lib/loyalty/accrual/record-events";
import { isLoyaltyError } from "@/lib/loyalty/errors";
import { redeemPoints } from "@/lib/loyalty/redemption/redeem-points";
import { ACTOR, NOW, balanceOf, codeOf, earn, lotsOf, newMember, refund, useLedgerDatabase } from "../support/ledger";

const ctx = { ...ACTOR, now: NOW };

describe("redeemPoints", () => {
  const t = useLedgerDatabase();

  it("consumes the soonest-expiring lots first and records which", async () => {
    const m = await newMember(t.db, "red-1");
    await earn(t.db, "red-1", "r1-new", 100, "2026-06-01T00:00:00Z");
    await earn(t.db, "red-1", "r1-old", 100, "2026-02-01T00:00:00Z");
    const result = await redeemPoints(t.db, { memberExternalId: "red-1", points: 150, referenceId: "red-1-a" }, ctx);
    expect(result).toMatchObject({ points: 150, availablePoints: 50, duplicate: false });
    const lots = await lotsOf(t.db, m.id);
    expect(lots.map((l) => l.remaining)).toEqual([0, 50]);
    const allocations = await queryRows<{ lot_id: string; points: string }>(
      t.db,
      sql`SELECT lot_id, points FROM lot_allocations WHERE transaction_id = ${result.transactionId} ORDER BY points DESC`,
    );
    expect(allocations.map((a) => [Number(a.lot_id), Number(a.points)])).toEqual([
      [lots[0]!.id, 100],
      [lots[1]!.id, 50],
    ]);
    const replay = await redeemPoints(t.db, { memberExternalId: "red-1", points: 150, referenceId: "red-1-a" }, ctx);
    expect(replay).toEqual({ ...result, duplicate: true });
    // The same reference with another amount is another request: refused, nothing written (issue 9).
    const other = await redeemPoints(t.db, { memberExternalId: "red-1", points: 999, referenceId: "red-1-a" }, ctx).catch((e: unknown) => e);
    expect(other).toMatchObject({ code: "idempotency_conflict", field: "points" });
    expect(await lotsOf(t.db, m.id)).toEqual(lots);
  });

  it("never redeems points past their expiry, even before the expiry job ran", async () => {
    const m = await newMember(t.db, "red-exp");
    await earn(t.db, "red-exp", "exp-old", 100, "2025-06-01T00:00:00Z"); // expired 2026-06-01
    await earn(t.db, "red-exp", "exp-new", 20, "2026-06-01T00:00:00Z");
    expect(await balanceOf(t.db, m.id)).toBe(120);
    const error = await redeemPoints(t.db, { memberId: m.id, points: 21, referenceId: "exp-r" }, ctx).catch((e: unknown) => e);
    expect(codeOf(error)).toBe("insufficient_points");
    expect(isLoyaltyError(error) && error.details).toMatchObject({ available: 20, unexpired: 20 });
    expect(await redeemPoints(t.db, { memberId: m.id, points: 20, referenceId: "exp-r2" }, ctx)).toMatchObject({ availablePoints: 0 });
  });

  it("refuses while the balance is negative", async () => {
    const m = await newMember(t.db, "red-neg");
    await earn(t.db, "red-neg", "neg-1", 100);
    await redeemPoints(t.db, { memberId: m.id, points: 100, referenceId: "neg-r1" }, ctx);
    await recordEvent(t.db, refund("red-neg", "neg-rf", "neg-1", 10_000), ctx);
    await earn(t.db, "red-neg", "neg-2", 40);
    expect(await balanceOf(t.db, m.id)).toBe(-60);
    const error = await redeemPoints(t.db, { memberId: m.id, points: 1, referenceId: "neg-r2" }, ctx).catch((e: unknown) => e);
    expect(codeOf(error)).toBe("insufficient_points");
  });

  it("validates its input and writes nothing on error", async () => {
    const m = await newMember(t.db, "red-bad");
    await earn(t.db, "red-bad", "bad-1", 10);
    for (const points of [0, -5, 1.5, 2e9]) {
      const error = await redeemPoints(t.db, { memberId: m.id, points, referenceId: "bad-r" }, ctx).catch((e: unknown) => e);
      expect(codeOf(error)).toBe("validation_failed");
    }
    expect(codeOf(await redeemPoints(t.db, { memberExternalId: "nobody", points: 1, referenceId: "x" }, ctx).catch((e: unknown) => e))).toBe(
      "member_not_found",
    );
    expect(await balanceOf(t.db, m.id)).toBe(10);
  });

  it("lets exactly 10 of 50 concurrent redemptions through a balance that covers 10", async () => {
    const m = await newMember(t.db, "red-race");
    await earn(t.db, "red-race", "race-1", 60);
    await earn(t.db, "red-race", "race-2", 40, "2026-05-01T00:00:00Z");
    const pool = t.connect(12);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) => redeemPoints(pool.db, { memberId: m.id, points: 10, referenceId: `race-r${i}` }, ctx)),
    );
    const ok = outcomes.filter((o) => o.status === "fulfilled");
    const refused = outcomes.filter((o) => o.status === "rejected").map((o) => codeOf((o as PromiseRejectedResult).reason));
    expect(ok).toHaveLength(10);
    expect(refused).toEqual(Array(40).fill("insufficient_points"));
    expect(await balanceOf(t.db, m.id)).toBe(0);
    expect((await lotsOf(t.db, m.id)).map((l) => l.remaining)).toEqual([0, 0]);
  });

  it("takes a reward's last item for one of two concurrent redemptions only", async () => {
    const [reward] = await t.db.insert(rewards).values({ name: "Mug", pointsCost: 30, stock: 1 }).returning();
    const a = await newMember(t.db, "red-mug-a");
    const b = await newMember(t.db, "red-mug-b");
    await earn(t.db, "red-mug-a", "mug-a", 50);
    await earn(t.db, "red-mug-b", "mug-b", 50);
    const pool = t.connect(4);
    const outcomes = await Promise.allSettled([
      redeemPoints(pool.db, { memberId: a.id, referenceId: "mug-ra", rewardId: reward!.id }, ctx),
      redeemPoints(pool.db, { memberId: b.id, referenceId: "mug-rb", rewardId: reward!.id }, ctx),
    ]);
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    const failed = outcomes.find((o) => o.status === "rejected") as PromiseRejectedResult;
    expect(codeOf(failed.reason)).toBe("out_of_stock");
    const [after] = await t.db.select().from(rewards).where(eq(rewards.id, reward!.id));
    expect(after!.stock).toBe(0);
    expect((await balanceOf(t.db, a.id)) + (await balanceOf(t.db, b.id))).toBe(70);
  });

  it("checks the reward's cost, activity and window", async () => {
    const m = await newMember(t.db, "red-rw");
    await earn(t.db, "red-rw", "rw-1", 100);
    const [inactive] = await t.db.insert(rewards).values({ name: "Old", pointsCost: 10, active: false }).returning();
    const [later] = await t.db
      .insert(rewards)
      .values({ name: "Later", pointsCost: 10, startsAt: new Date("2026-07-01T00:00:00Z") })
      .returning();
    const [open] = await t.db.insert(rewards).values({ name: "Open", pointsCost: 10 }).returning();
    const attempt = (rewardId: number, points?: number) =>
      redeemPoints(t.db, { memberId: m.id, rewardId, points, referenceId: `rw-${rewardId}-${points}` }, ctx).catch((e: unknown) => codeOf(e));
    expect(await attempt(inactive!.id)).toBe("reward_unavailable");
    expect(await attempt(later!.id)).toBe("reward_unavailable");
    expect(await attempt(open!.id, 11)).toBe("validation_failed");
    expect(await attempt(999_999)).toBe("reward_not_found");
    expect(await attempt(open!.id)).toMatchObject({ points: 10, availablePoints: 90 });
  });
});
