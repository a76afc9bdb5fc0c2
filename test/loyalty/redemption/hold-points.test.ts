import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { pointHolds, pointTransactions } from "@/db/schema";
import { adjustPoints } from "@/lib/loyalty/adjustments/adjust-points";
import { captureHold, createHold, voidHold } from "@/lib/loyalty/redemption/hold-points";
import { getMemberSummary } from "@/lib/loyalty/members/ensure-member";
import { redeemPoints } from "@/lib/loyalty/redemption/redeem-points";
import { ACTOR, NOW, balanceOf, codeOf, earn, lotsOf, newMember, useLedgerDatabase } from "../support/ledger";

const at = (ms: number) => ({ ...ACTOR, now: new Date(NOW.getTime() + ms) });
const ctx = at(0);

describe("checkout holds", () => {
  const t = useLedgerDatabase();

  it("keeps held points from redemptions until the hold is voided", async () => {
    const m = await newMember(t.db, "h-1");
    await earn(t.db, "h-1", "h-1-o", 100);
    const hold = await createHold(t.db, { memberId: m.id, points: 70, referenceId: "h-1-hold" }, ctx);
    expect(hold).toMatchObject({ points: 70, state: "active", availablePoints: 30, duplicate: false });
    expect(hold.expiresAt).toEqual(new Date(NOW.getTime() + 900_000));
    expect(await redeemPoints(t.db, { memberId: m.id, points: 31, referenceId: "h-1-r" }, ctx).catch(codeOf)).toBe("insufficient_points");
    expect(await createHold(t.db, { memberId: m.id, points: 31, referenceId: "h-1-hold2" }, ctx).catch(codeOf)).toBe("insufficient_points");
    expect(await getMemberSummary(t.db, "h-1", NOW)).toMatchObject({ availablePoints: 30, heldPoints: 70 });
    expect(await voidHold(t.db, { holdId: hold.holdId }, ctx)).toMatchObject({ state: "voided", availablePoints: 100, duplicate: false });
    expect(await voidHold(t.db, { holdId: hold.holdId }, ctx)).toMatchObject({ state: "voided", duplicate: true });
    expect(await redeemPoints(t.db, { memberId: m.id, points: 100, referenceId: "h-1-r2" }, ctx)).toMatchObject({ availablePoints: 0 });
  });

  it("captures at most the held points as a redemption and releases the rest; a replay answers the capture", async () => {
    const m = await newMember(t.db, "h-2");
    await earn(t.db, "h-2", "h-2-o", 100);
    const hold = await createHold(t.db, { memberExternalId: "h-2", points: 60, referenceId: "h-2-hold", ttlSeconds: 120 }, ctx);
    expect(await captureHold(t.db, { holdId: hold.holdId, points: 61, referenceId: "h-2-pay" }, at(1000)).catch(codeOf)).toBe("validation_failed");
    const capture = await captureHold(t.db, { holdId: hold.holdId, points: 45, referenceId: "h-2-pay" }, at(1000));
    expect(capture).toMatchObject({ state: "captured", capturedPoints: 45, releasedPoints: 15, availablePoints: 55, duplicate: false });
    const [row] = await t.db.select().from(pointTransactions).where(eq(pointTransactions.id, capture.transactionId));
    expect(row).toMatchObject({ type: "redeem", amount: -45, referenceType: "redemption", referenceId: "h-2-pay" });
    expect(await balanceOf(t.db, m.id)).toBe(55);
    expect(await captureHold(t.db, { holdId: hold.holdId, points: 45, referenceId: "h-2-pay" }, at(2000))).toMatchObject({
      transactionId: capture.transactionId,
      duplicate: true,
    });
    expect(await captureHold(t.db, { holdId: hold.holdId, referenceId: "h-2-other" }, at(2000)).catch(codeOf)).toBe("conflict");
    expect(await captureHold(t.db, { holdId: hold.holdId, points: 40, referenceId: "h-2-pay" }, at(2000)).catch(codeOf)).toBe("idempotency_conflict");
    expect(await voidHold(t.db, { holdId: hold.holdId }, ctx).catch(codeOf)).toBe("conflict");
    expect(await balanceOf(t.db, m.id)).toBe(55);
  });

  it("releases an expired hold by itself and refuses to capture it", async () => {
    const m = await newMember(t.db, "h-3");
    await earn(t.db, "h-3", "h-3-o", 50);
    const hold = await createHold(t.db, { memberId: m.id, points: 50, referenceId: "h-3-hold", ttlSeconds: 60 }, ctx);
    expect(await redeemPoints(t.db, { memberId: m.id, points: 1, referenceId: "h-3-r1" }, at(59_999)).catch(codeOf)).toBe("insufficient_points");
    expect(await captureHold(t.db, { holdId: hold.holdId, referenceId: "h-3-pay" }, at(60_000)).catch(codeOf)).toBe("hold_expired");
    expect(await getMemberSummary(t.db, "h-3", new Date(NOW.getTime() + 60_000))).toMatchObject({ availablePoints: 50, heldPoints: 0 });
    expect(await redeemPoints(t.db, { memberId: m.id, points: 50, referenceId: "h-3-r2" }, at(60_000))).toMatchObject({ points: 50 });
    expect((await t.db.select().from(pointHolds).where(eq(pointHolds.id, hold.holdId)))[0]!.status).toBe("active");
  });

  it("holds only points that outlive the hold, so its capture always finds them", async () => {
    const m = await newMember(t.db, "h-4");
    // 40 points expiring 30 minutes after NOW (bought 12 months before that), 10 that last a year.
    await earn(t.db, "h-4", "h-4-old", 40, "2025-06-15T12:30:00.000Z");
    await earn(t.db, "h-4", "h-4-new", 10);
    expect(await createHold(t.db, { memberId: m.id, points: 11, referenceId: "h-4-a", ttlSeconds: 3600 }, ctx).catch(codeOf)).toBe("insufficient_points");
    const long = await createHold(t.db, { memberId: m.id, points: 10, referenceId: "h-4-b", ttlSeconds: 3600 }, ctx);
    // A short hold may use the soon-expiring points, but not those the long hold needs.
    const short = await createHold(t.db, { memberId: m.id, points: 40, referenceId: "h-4-c", ttlSeconds: 600 }, ctx);
    expect(short.availablePoints).toBe(0);
    await voidHold(t.db, { holdId: short.holdId }, ctx);
    // The soon-expiring lot lapses; the long hold is still whole.
    expect(await captureHold(t.db, { holdId: long.holdId, referenceId: "h-4-pay" }, at(3_000_000))).toMatchObject({ capturedPoints: 10 });
    expect((await lotsOf(t.db, m.id)).map((l) => l.remaining)).toEqual([40, 0]);
  });

  it("answers a replayed hold, refuses another payload or another member under its reference", async () => {
    const m = await newMember(t.db, "h-5");
    await newMember(t.db, "h-5b");
    await earn(t.db, "h-5", "h-5-o", 100);
    const first = await createHold(t.db, { memberId: m.id, points: 20, referenceId: "h-5-hold" }, ctx);
    expect(await createHold(t.db, { memberId: m.id, points: 20, referenceId: "h-5-hold" }, at(5000))).toMatchObject({
      holdId: first.holdId,
      duplicate: true,
      availablePoints: 80,
    });
    const other = await createHold(t.db, { memberId: m.id, points: 25, referenceId: "h-5-hold" }, ctx).catch((e: unknown) => e);
    expect(other).toMatchObject({ code: "idempotency_conflict", field: "points" });
    expect(await createHold(t.db, { memberExternalId: "h-5b", points: 20, referenceId: "h-5-hold" }, ctx).catch(codeOf)).toBe("reference_conflict");
    expect(await t.db.select().from(pointHolds).where(eq(pointHolds.referenceId, "h-5-hold"))).toHaveLength(1);
  });

  it("refuses a capture when a debit that cannot be refused took the held points", async () => {
    const m = await newMember(t.db, "h-6");
    await earn(t.db, "h-6", "h-6-o", 50);
    const hold = await createHold(t.db, { memberId: m.id, points: 50, referenceId: "h-6-hold" }, ctx);
    await adjustPoints(t.db, { memberId: m.id, points: -30, reason: "Chargeback", referenceId: "h-6-adj" }, ctx);
    expect(await captureHold(t.db, { holdId: hold.holdId, referenceId: "h-6-pay" }, ctx).catch(codeOf)).toBe("insufficient_points");
    expect(await captureHold(t.db, { holdId: hold.holdId, points: 20, referenceId: "h-6-pay" }, ctx)).toMatchObject({ capturedPoints: 20 });
    expect(await balanceOf(t.db, m.id)).toBe(0);
  });

  it("lets holds and redemptions racing on one balance never reserve or spend more than it has", async () => {
    const m = await newMember(t.db, "h-7");
    await earn(t.db, "h-7", "h-7-o", 100);
    const pools = Array.from({ length: 4 }, () => t.connect(3));
    const attempts = Array.from({ length: 16 }, (_, i) => {
      const { db } = pools[i % pools.length]!;
      return i % 2 === 0
        ? createHold(db, { memberId: m.id, points: 30, referenceId: `h-7-hold-${i}` }, ctx).then(() => 30)
        : redeemPoints(db, { memberId: m.id, points: 30, referenceId: `h-7-r-${i}` }, ctx).then(() => 30);
    });
    const settled = await Promise.allSettled(attempts);
    const granted = settled.filter((s) => s.status === "fulfilled").length;
    expect(granted).toBe(3);
    for (const s of settled) if (s.status === "rejected") expect(codeOf(s.reason)).toBe("insufficient_points");
    const summary = await getMemberSummary(t.db, "h-7", NOW);
    expect(summary.availablePoints).toBe(10);
    expect(summary.availablePoints + summary.heldPoints).toBe(await balanceOf(t.db, m.id));
  });
});
