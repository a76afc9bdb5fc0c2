import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { pointBalances } from "@/db/schema";
import { recordEvent, recordEvents } from "@/lib/loyalty/accrual/record-events";
import { reverseTransaction } from "@/lib/loyalty/adjustments/adjust-points";
import { expirePoints } from "@/lib/loyalty/jobs/expire-points";
import { redeemPoints } from "@/lib/loyalty/redemption/redeem-points";
import { recalculateTiers } from "@/lib/loyalty/jobs/recalculate-tiers";
import { ACTOR, NOW, balanceOf, codeOf, lotsOf, newMember, purchase, refund, useLedgerDatabase } from "../support/ledger";

/** The issue 9 findings and the rules docs/ledger.md now states for them (Refund, Tier spend, Idempotency). */
describe("refunds after expiry, redemptions and reversals", () => {
  const t = useLedgerDatabase();
  const ctx = { ...ACTOR, now: NOW };
  const thirteenMonthsAgo = "2025-05-10T12:00:00.000Z";

  const spendOf = async (memberId: number) => Number((await t.db.select().from(pointBalances).where(eq(pointBalances.memberId, memberId)))[0]!.tierSpend12m);

  it("never takes expired points a second time (issue 9: the balance became −70)", async () => {
    const m = await newMember(t.db, "rx-1");
    await recordEvent(t.db, purchase("rx-1", "rx-1-old", 10_000, thirteenMonthsAgo), ctx);
    await recordEvent(t.db, purchase("rx-1", "rx-1-new", 3_000), ctx);
    expect(await expirePoints(t.db, { now: NOW })).toMatchObject({ pointsExpired: 100 });
    expect(await balanceOf(t.db, m.id)).toBe(30);
    const refunded = await recordEvent(t.db, refund("rx-1", "rx-1-rf", "rx-1-old", 10_000), ctx);
    expect(refunded).toMatchObject({ points: 0, duplicate: false });
    expect(await balanceOf(t.db, m.id)).toBe(30);
  });

  it("leaves the current 12-month spend alone when the refunded purchase is outside the window (issue 9: 3,000 → 0)", async () => {
    const m = await newMember(t.db, "rx-2");
    await recordEvent(t.db, purchase("rx-2", "rx-2-old", 10_000, thirteenMonthsAgo), ctx);
    await recordEvent(t.db, purchase("rx-2", "rx-2-new", 3_000), ctx);
    await recordEvent(t.db, refund("rx-2", "rx-2-rf", "rx-2-old", 10_000), ctx);
    expect(await spendOf(m.id)).toBe(3_000);
    await recalculateTiers(t.db, { now: NOW });
    expect(await spendOf(m.id)).toBe(3_000);
  });

  it("takes back only the points the member used when part was redeemed and the rest expired", async () => {
    const m = await newMember(t.db, "rx-3");
    const bought = "2025-06-01T12:00:00.000Z"; // expires 2026-06-01, before NOW
    await recordEvent(t.db, purchase("rx-3", "rx-3-o", 10_000, bought), ctx);
    await redeemPoints(t.db, { memberId: m.id, points: 60, referenceId: "rx-3-r" }, { ...ACTOR, now: new Date("2025-07-01T00:00:00Z") });
    await expirePoints(t.db, { now: NOW }); // the other 40
    expect(await balanceOf(t.db, m.id)).toBe(0);
    expect(await recordEvent(t.db, refund("rx-3", "rx-3-rf1", "rx-3-o", 5_000), ctx)).toMatchObject({ points: -10 });
    expect(await recordEvent(t.db, refund("rx-3", "rx-3-rf2", "rx-3-o", 5_000), ctx)).toMatchObject({ points: -50 });
    expect(await balanceOf(t.db, m.id)).toBe(-60);
  });

  it("takes nothing when the rest of a half-refunded purchase expired", async () => {
    const m = await newMember(t.db, "rx-4");
    await recordEvent(t.db, purchase("rx-4", "rx-4-o", 10_000, "2025-06-01T12:00:00.000Z"), ctx);
    await recordEvent(t.db, refund("rx-4", "rx-4-rf1", "rx-4-o", 5_000), { ...ACTOR, now: new Date("2025-08-01T00:00:00Z") });
    await expirePoints(t.db, { now: NOW });
    expect(await recordEvent(t.db, refund("rx-4", "rx-4-rf2", "rx-4-o", 5_000), ctx)).toMatchObject({ points: 0 });
    expect(await balanceOf(t.db, m.id)).toBe(0);
  });

  it("accepts a refund after staff reversed the purchase, taking and removing nothing more", async () => {
    const m = await newMember(t.db, "rx-5");
    const bought = await recordEvent(t.db, purchase("rx-5", "rx-5-o", 10_000), ctx);
    await recordEvent(t.db, purchase("rx-5", "rx-5-o2", 2_000), ctx);
    await reverseTransaction(t.db, { transactionId: bought.transactionId!, reason: "Suspected fraud" }, ctx);
    expect(await spendOf(m.id)).toBe(2_000);
    expect(await recordEvent(t.db, refund("rx-5", "rx-5-rf", "rx-5-o", 10_000), ctx)).toMatchObject({ points: 0 });
    expect(await balanceOf(t.db, m.id)).toBe(20);
    expect(await spendOf(m.id)).toBe(2_000);
    await recalculateTiers(t.db, { now: NOW });
    expect(await spendOf(m.id)).toBe(2_000);
  });

  it("reverses only what an earn has not lost to expiry", async () => {
    const m = await newMember(t.db, "rx-6");
    const old = await recordEvent(t.db, purchase("rx-6", "rx-6-o", 10_000, thirteenMonthsAgo), ctx);
    await recordEvent(t.db, purchase("rx-6", "rx-6-n", 3_000), ctx);
    await expirePoints(t.db, { now: NOW });
    const reversal = await reverseTransaction(t.db, { transactionId: old.transactionId!, reason: "Cancelled" }, ctx);
    expect(reversal).toMatchObject({ points: 0 });
    expect(await balanceOf(t.db, m.id)).toBe(30);
    expect(await spendOf(m.id)).toBe(3_000);
  });

  it("refuses a refund dated before its purchase", async () => {
    await newMember(t.db, "rx-7");
    await recordEvent(t.db, purchase("rx-7", "rx-7-o", 1_000, "2026-06-01T00:00:00.000Z"), ctx);
    const early = { ...refund("rx-7", "rx-7-rf", "rx-7-o", 500), occurredAt: "2026-05-31T23:59:59.000Z" };
    const [outcome] = await recordEvents(t.db, [early], ctx);
    expect(outcome).toMatchObject({ ok: false, status: 422, error: { error: "unprocessable", field: "occurredAt" } });
  });

  it("refuses a replay with another payload in a batch, naming the field, and writes nothing", async () => {
    const m = await newMember(t.db, "rx-8");
    await recordEvent(t.db, purchase("rx-8", "rx-8-o", 1_000), ctx);
    await recordEvent(t.db, refund("rx-8", "rx-8-rf", "rx-8-o", 100), ctx);
    const lotsBefore = await lotsOf(t.db, m.id);
    const outcomes = await recordEvents(
      t.db,
      [
        purchase("rx-8", "rx-8-o", 1_000),
        purchase("rx-8", "rx-8-o", 1_000, "2026-06-01T00:00:00.000Z"),
        refund("rx-8", "rx-8-rf", "rx-8-o", 200),
        { ...refund("rx-8", "rx-8-rf", "rx-8-o", 100), occurredAt: NOW.toISOString() },
        purchase("rx-8", "rx-8-same-batch", 500),
        purchase("rx-8", "rx-8-same-batch", 600),
      ],
      ctx,
    );
    expect(outcomes.map((o) => (o.ok ? o.status : `${o.error.error}:${o.error.field}`))).toEqual([
      200,
      "idempotency_conflict:occurredAt",
      "idempotency_conflict:amountCents",
      "idempotency_conflict:payload",
      201,
      "idempotency_conflict:amountCents",
    ]);
    expect(await balanceOf(t.db, m.id)).toBe(14);
    expect((await lotsOf(t.db, m.id)).slice(0, lotsBefore.length)).toEqual(lotsBefore);
  });

  it("still answers an over-refund as refund_exceeds_purchase", async () => {
    await newMember(t.db, "rx-9");
    await recordEvent(t.db, purchase("rx-9", "rx-9-o", 1_000), ctx);
    expect(await recordEvent(t.db, refund("rx-9", "rx-9-rf", "rx-9-o", 1_001), ctx).catch(codeOf)).toBe("refund_exceeds_purchase");
  });
});
