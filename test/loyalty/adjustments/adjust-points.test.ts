import { describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import { auditLog, pointBalances } from "@/db/schema";
import { recordEvent } from "@/lib/loyalty/accrual/record-events";
import { adjustPoints, reverseTransaction } from "@/lib/loyalty/adjustments/adjust-points";
import { expirePoints } from "@/lib/loyalty/jobs/expire-points";
import { redeemPoints } from "@/lib/loyalty/redemption/redeem-points";
import { ACTOR, NOW, balanceOf, codeOf, earn, lotsOf, newMember, refund, useLedgerDatabase } from "../support/ledger";

const ctx = { actor: "user:42", now: NOW };

describe("adjustPoints and reverseTransaction", () => {
  const t = useLedgerDatabase();

  it("credits a new lot and audits before and after, once per reference", async () => {
    const m = await newMember(t.db, "adj-1");
    const result = await adjustPoints(t.db, { memberId: m.id, points: 250, reason: "Goodwill", referenceId: "adj-1-a" }, ctx);
    expect(result).toMatchObject({ points: 250, availablePoints: 250, duplicate: false });
    const [lot] = await lotsOf(t.db, m.id);
    expect(lot).toMatchObject({ amount: 250, remaining: 250, expiresAt: new Date("2027-06-15T12:00:00.000Z") });
    expect(await adjustPoints(t.db, { memberId: m.id, points: 250, reason: "Goodwill", referenceId: "adj-1-a" }, ctx)).toMatchObject({
      duplicate: true,
      transactionId: result.transactionId,
    });
    const entries = await t.db.select().from(auditLog).where(eq(auditLog.memberId, m.id));
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actor: "user:42", action: "points.adjust", reason: "Goodwill", before: { availablePoints: 0 } });
    expect(entries[0]!.after).toMatchObject({ availablePoints: 250 });
  });

  it("refuses a debit below zero unless allowed, and requires a reason", async () => {
    const m = await newMember(t.db, "adj-2");
    await earn(t.db, "adj-2", "adj-2-o", 100);
    const refused = await adjustPoints(t.db, { memberId: m.id, points: -101, reason: "Fraud", referenceId: "adj-2-a" }, ctx).catch(codeOf);
    expect(refused).toBe("negative_balance");
    expect(await adjustPoints(t.db, { memberId: m.id, points: -1, reason: "  ", referenceId: "adj-2-b" }, ctx).catch(codeOf)).toBe("validation_failed");
    expect(await adjustPoints(t.db, { memberId: m.id, points: 0, reason: "x", referenceId: "adj-2-c" }, ctx).catch(codeOf)).toBe("validation_failed");
    const allowed = await adjustPoints(t.db, { memberId: m.id, points: -130, reason: "Fraud", referenceId: "adj-2-d", allowNegativeBalance: true }, ctx);
    expect(allowed.availablePoints).toBe(-30);
    expect((await lotsOf(t.db, m.id)).map((l) => l.remaining)).toEqual([0]);
    expect(await t.db.select().from(auditLog).where(eq(auditLog.memberId, m.id))).toHaveLength(1);
  });

  it("reverses an earn like a full refund, once", async () => {
    const m = await newMember(t.db, "rev-1");
    const earned = await earn(t.db, "rev-1", "rev-1-o", 100);
    await recordEvent(t.db, refund("rev-1", "rev-1-rf", "rev-1-o", 2_500), { ...ACTOR, now: NOW });
    const reversal = await reverseTransaction(t.db, { transactionId: earned.transactionId!, reason: "Order cancelled" }, ctx);
    expect(reversal).toMatchObject({ points: -75, availablePoints: 0, duplicate: false });
    expect(await reverseTransaction(t.db, { transactionId: earned.transactionId!, reason: "again" }, ctx).catch(codeOf)).toBe("already_reversed");
    // The shop refunds the rest of the order after staff reversed its points: accepted, nothing more
    // taken (docs/ledger.md, Refund); a refund beyond the purchase's cents is still refused.
    const refundAfter = await recordEvent(t.db, refund("rev-1", "rev-1-rf2", "rev-1-o", 7_500), { ...ACTOR, now: NOW });
    expect(refundAfter).toMatchObject({ points: 0, duplicate: false });
    expect(await balanceOf(t.db, m.id)).toBe(0);
    const overRefund = await recordEvent(t.db, refund("rev-1", "rev-1-rf3", "rev-1-o", 1), { ...ACTOR, now: NOW }).catch(codeOf);
    expect(overRefund).toBe("refund_exceeds_purchase");
    const [totals] = await t.db.select().from(pointBalances).where(eq(pointBalances.memberId, m.id));
    expect(totals).toMatchObject({ totalEarned: 0 });
  });

  it("answers a replayed reversal key with the first reversal", async () => {
    const m = await newMember(t.db, "rev-key");
    const earned = await earn(t.db, "rev-key", "rev-key-o", 10);
    const first = await reverseTransaction(t.db, { transactionId: earned.transactionId!, reason: "dup", referenceId: "k-1" }, ctx);
    expect(await reverseTransaction(t.db, { transactionId: earned.transactionId!, reason: "dup", referenceId: "k-1" }, ctx)).toEqual({
      ...first,
      duplicate: true,
    });
    expect(await balanceOf(t.db, m.id)).toBe(0);
  });

  it("gives a redemption back to exactly the lots it consumed, even an expired one, which the job then expires", async () => {
    const m = await newMember(t.db, "rev-2");
    await earn(t.db, "rev-2", "rev-2-old", 100, "2025-07-01T00:00:00Z"); // expires 2026-07-01
    await earn(t.db, "rev-2", "rev-2-new", 100, "2026-06-01T00:00:00Z");
    const redeemed = await redeemPoints(t.db, { memberId: m.id, points: 150, referenceId: "rev-2-r" }, ctx);
    const later = new Date("2026-07-02T00:00:00Z");
    const reversal = await reverseTransaction(t.db, { transactionId: redeemed.transactionId, reason: "Reward not delivered" }, { ...ctx, now: later });
    expect(reversal).toMatchObject({ points: 150, availablePoints: 100 });
    expect((await lotsOf(t.db, m.id)).map((l) => l.remaining)).toEqual([100, 100]);
    const [totals] = await t.db.select().from(pointBalances).where(eq(pointBalances.memberId, m.id));
    expect(totals!.totalRedeemed).toBe(0);
    const expired = await expirePoints(t.db, { now: later });
    expect(expired).toMatchObject({ lotsExpired: 1, pointsExpired: 100 });
    expect(await balanceOf(t.db, m.id)).toBe(100);
  });

  it("re-expires a lot given back after it had already been expired", async () => {
    const m = await newMember(t.db, "rev-3");
    await earn(t.db, "rev-3", "rev-3-o", 100, "2025-06-01T00:00:00Z"); // expires 2026-06-01
    const redeemed = await redeemPoints(t.db, { memberId: m.id, points: 40, referenceId: "rev-3-r" }, { ...ctx, now: new Date("2026-05-01T00:00:00Z") });
    expect(await expirePoints(t.db, { now: NOW })).toMatchObject({ pointsExpired: 60 });
    await reverseTransaction(t.db, { transactionId: redeemed.transactionId, reason: "Refunded reward" }, ctx);
    expect(await balanceOf(t.db, m.id)).toBe(40);
    expect(await expirePoints(t.db, { now: NOW })).toMatchObject({ lotsExpired: 1, pointsExpired: 40 });
    const refs = await queryRows<{ reference_id: string }>(
      t.db,
      sql`SELECT reference_id FROM point_transactions WHERE member_id = ${m.id} AND type = 'expire' ORDER BY id`,
    );
    expect(refs.map((r) => r.reference_id)).toEqual([expect.stringMatching(/^\d+$/), expect.stringMatching(/^\d+:2$/)]);
    expect(await balanceOf(t.db, m.id)).toBe(0);
  });

  it("gives a negative adjustment that went into debt back as lots, after repaying any debt", async () => {
    const m = await newMember(t.db, "rev-4");
    await earn(t.db, "rev-4", "rev-4-o", 50);
    const debit = await adjustPoints(t.db, { memberId: m.id, points: -80, reason: "Clawback", referenceId: "rev-4-a", allowNegativeBalance: true }, ctx);
    expect(await balanceOf(t.db, m.id)).toBe(-30);
    const reversal = await reverseTransaction(t.db, { transactionId: debit.transactionId, reason: "Clawback was wrong" }, ctx);
    expect(reversal).toMatchObject({ points: 80, availablePoints: 50 });
    expect((await lotsOf(t.db, m.id)).reduce((s, l) => s + l.remaining, 0)).toBe(50);
  });

  it("refuses to reverse expiries, refunds and unknown transactions", async () => {
    expect(await reverseTransaction(t.db, { transactionId: 99_999_999, reason: "x" }, ctx).catch(codeOf)).toBe("transaction_not_found");
    const [expiry] = await queryRows<{ id: string }>(t.db, sql`SELECT id FROM point_transactions WHERE type = 'expire' LIMIT 1`);
    expect(await reverseTransaction(t.db, { transactionId: Number(expiry!.id), reason: "x" }, ctx).catch(codeOf)).toBe("unprocessable");
  });
});
