import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { eq, sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import { pointBalances } from "@/db/schema";
import { recordEvent, recordEvents } from "@/lib/loyalty/accrual/record-events";
import { reverseTransaction } from "@/lib/loyalty/adjustments/adjust-points";
import type { LoyaltyEvent } from "@/lib/loyalty/accrual/event-input";
import { addUtcMonths } from "@/lib/loyalty/rules/expiry";
import { tierSpendDelta } from "@/lib/loyalty/rules/tiers";
import { recalculateTiers } from "@/lib/loyalty/jobs/recalculate-tiers";
import { tierWindowStart } from "@/lib/loyalty/rules/tier-thresholds";
import { ACTOR, NOW, newMember, purchase, refund, useLedgerDatabase } from "../support/ledger";

const ctx = { ...ACTOR, now: NOW };
const DAY = 86_400_000;
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY).toISOString();

describe("tierSpendDelta", () => {
  it("opens the window with the ledger's clamped month arithmetic, like expiry", () => {
    // setUTCMonth would overflow to 1 March 2023; points earned on 28 Feb 2023 expire on 28 Feb 2024.
    expect(tierWindowStart(new Date("2024-02-29T10:00:00.000Z")).toISOString()).toBe("2023-02-28T10:00:00.000Z");
    expect(addUtcMonths(tierWindowStart(new Date("2025-03-31T00:00:00.000Z")), 12).toISOString()).toBe("2025-03-31T00:00:00.000Z");
  });

  it("counts a row's spend only inside the window, as the nightly job does", () => {
    const start = tierWindowStart(NOW);
    expect(tierSpendDelta(5_000, NOW, start)).toBe(5_000);
    expect(tierSpendDelta(-2_000, NOW, start)).toBe(-2_000);
    expect(tierSpendDelta(5_000, start, start)).toBe(0);
    expect(tierSpendDelta(5_000, new Date(start.getTime() + 1), start)).toBe(5_000);
    expect(tierSpendDelta(null, NOW, start)).toBe(0);
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: -400, max: 10 }), (spend, days) => {
        const at = new Date(NOW.getTime() + days * DAY);
        const delta = tierSpendDelta(spend, at, start);
        return at > start ? delta === spend : delta === 0;
      }),
    );
  });
});

describe("live tier spend", () => {
  const t = useLedgerDatabase();

  const spendOf = async (memberId: number) => {
    const [row] = await t.db.select({ spend: pointBalances.tierSpend12m }).from(pointBalances).where(eq(pointBalances.memberId, memberId));
    return row!.spend;
  };

  it("moves with every purchase and refund in the window, once per reference, in the same write as the balance", async () => {
    const m = await newMember(t.db, "ts-1");
    await recordEvents(t.db, [purchase("ts-1", "ts-1-a", 12_345), purchase("ts-1", "ts-1-b", 50, daysAgo(3))], ctx);
    expect(await spendOf(m.id)).toBe(12_395);
    // A replay changes nothing; a zero-point purchase (under one unit) still counts its spend.
    await recordEvent(t.db, purchase("ts-1", "ts-1-a", 12_345), ctx);
    expect(await spendOf(m.id)).toBe(12_395);
    await recordEvent(t.db, refund("ts-1", "ts-1-r", "ts-1-a", 2_345), ctx);
    expect(await spendOf(m.id)).toBe(10_050);
  });

  it("ignores spend that occurred before the window, and never goes below zero", async () => {
    const m = await newMember(t.db, "ts-2");
    await recordEvent(t.db, purchase("ts-2", "ts-2-old", 90_000, daysAgo(400)), ctx);
    expect(await spendOf(m.id)).toBe(0);
    // The refund happens now (in the window) against a purchase that has left it.
    await recordEvent(t.db, refund("ts-2", "ts-2-r", "ts-2-old", 30_000), ctx);
    expect(await spendOf(m.id)).toBe(0);
  });

  it("takes back what a staff reversal of a purchase takes back", async () => {
    const m = await newMember(t.db, "ts-3");
    const bought = await recordEvent(t.db, purchase("ts-3", "ts-3-a", 40_000), ctx);
    await recordEvent(t.db, refund("ts-3", "ts-3-r", "ts-3-a", 10_000), ctx);
    expect(await spendOf(m.id)).toBe(30_000);
    await reverseTransaction(t.db, { transactionId: bought.transactionId!, reason: "Fraudulent order" }, { actor: "user:1", now: NOW });
    expect(await spendOf(m.id)).toBe(0);
  });

  it("agrees with the nightly recalculation, which still changes tiers", async () => {
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push((await newMember(t.db, `ts-job-${i}`)).id);
    const events: LoyaltyEvent[] = [];
    for (let i = 0; i < 5; i++) {
      events.push(purchase(`ts-job-${i}`, `ts-job-${i}-a`, 20_000 * (i + 1), daysAgo(30 + i)));
      events.push(purchase(`ts-job-${i}`, `ts-job-${i}-b`, 7_777 * i, daysAgo(i)));
      if (i % 2 === 0) events.push(refund(`ts-job-${i}`, `ts-job-${i}-r`, `ts-job-${i}-a`, 5_000));
    }
    await recordEvents(t.db, events, ctx);
    const live = await Promise.all(ids.map(spendOf));
    await recalculateTiers(t.db, { now: NOW });
    expect(await Promise.all(ids.map(spendOf))).toEqual(live);
    const exact = await queryRows<{ member_id: string; spend: string }>(
      t.db,
      sql`SELECT member_id, sum(spend_amount) AS spend FROM point_transactions
          WHERE member_id IN ${ids} AND spend_amount IS NOT NULL GROUP BY member_id ORDER BY member_id`,
    );
    expect(exact.map((r) => Number(r.spend))).toEqual(live);
    const tiers = await queryRows<{ tier: string }>(t.db, sql`SELECT tier FROM members WHERE id IN ${ids} ORDER BY id`);
    // 15,000 / 47,777 / 70,554 / 103,331 / 126,108 minor units (after refunds): bronze, bronze, silver, silver, silver.
    expect(tiers.map((r) => r.tier)).toEqual(["bronze", "bronze", "silver", "silver", "silver"]);
  });

  it("keeps a purchase recorded while the nightly run was under way (after its clock) in the figure it writes", async () => {
    const m = await newMember(t.db, "ts-late");
    const later = new Date(NOW.getTime() + 30 * 60_000);
    await recordEvent(t.db, purchase("ts-late", "ts-late-a", 64_000, later.toISOString()), { ...ACTOR, now: later });
    expect(await spendOf(m.id)).toBe(64_000);
    await recalculateTiers(t.db, { now: NOW });
    expect(await spendOf(m.id)).toBe(64_000);
  });
});
