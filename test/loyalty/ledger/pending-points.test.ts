import { describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import { auditLog, pointTransactions } from "@/db/schema";
import { recordEvent } from "@/lib/loyalty/accrual/record-events";
import { expirePoints } from "@/lib/loyalty/jobs/expire-points";
import { createHold } from "@/lib/loyalty/redemption/hold-points";
import { getMemberSummary } from "@/lib/loyalty/members/ensure-member";
import { changeProgramSettings, getProgramView } from "@/lib/loyalty/program/change-program-settings";
import { redeemPoints } from "@/lib/loyalty/redemption/redeem-points";
import { vestPoints } from "@/lib/loyalty/jobs/vest-points";
import { ACTOR, NOW, balanceOf, codeOf, newMember, purchase, refund, useLedgerDatabase } from "../support/ledger";

const DAY = 24 * 60 * 60 * 1000;
const after = (days: number) => new Date(NOW.getTime() + days * DAY);
const system = { kind: "system", name: "test" } as const;

describe("pending points (return window)", () => {
  const t = useLedgerDatabase();
  const ctx = { ...ACTOR, now: NOW };

  it("validates and audits the programme's settings", async () => {
    expect(await getProgramView(t.db, system)).toMatchObject({ pendingDays: 0, holdTtlSeconds: 900 });
    expect(await changeProgramSettings(t.db, system, { pendingDays: -1 }).catch((e: unknown) => e)).toMatchObject({
      code: "validation_failed",
      field: "pendingDays",
    });
    expect(await changeProgramSettings(t.db, system, { holdTtlSeconds: 5 }).catch((e: unknown) => e)).toMatchObject({
      code: "validation_failed",
      field: "holdTtlSeconds",
    });
    expect(await changeProgramSettings(t.db, system, {}).catch(codeOf)).toBe("validation_failed");
    expect(await changeProgramSettings(t.db, { kind: "user", id: "u-support", roles: ["support"] }, { pendingDays: 14 }).catch(codeOf)).toBe("forbidden");
    expect(await changeProgramSettings(t.db, system, { pendingDays: 14 }, "30-day returns policy")).toMatchObject({ pendingDays: 14, holdTtlSeconds: 900 });
    const [entry] = await t.db.select().from(auditLog).where(eq(auditLog.action, "program.update"));
    expect(entry).toMatchObject({ reason: "30-day returns policy", before: { pendingDays: 0 }, after: { pendingDays: 14 } });
  });

  it("keeps a purchase's points pending until the window closes, then they vest and their expiry counts from then", async () => {
    const m = await newMember(t.db, "pd-1");
    const earned = await recordEvent(t.db, purchase("pd-1", "pd-1-o", 10_000), ctx);
    expect(earned.points).toBe(100);
    const [row] = await t.db.select().from(pointTransactions).where(eq(pointTransactions.id, earned.transactionId!));
    expect(row!.vestsAt).toEqual(after(14));
    expect(row!.expiresAt).toEqual(new Date("2027-06-29T12:00:00.000Z"));
    expect(await getMemberSummary(t.db, "pd-1", NOW)).toMatchObject({ availablePoints: 0, pendingPoints: 100, tierSpend12m: 10_000 });
    expect(await redeemPoints(t.db, { memberId: m.id, points: 1, referenceId: "pd-1-r" }, ctx).catch(codeOf)).toBe("insufficient_points");
    expect(await createHold(t.db, { memberId: m.id, points: 1, referenceId: "pd-1-h" }, ctx).catch(codeOf)).toBe("insufficient_points");
    expect(await vestPoints(t.db, { now: after(13) })).toEqual({ lotsVested: 0, pointsVested: 0, membersAffected: 0 });

    expect(await getMemberSummary(t.db, "pd-1", after(14))).toMatchObject({ availablePoints: 100, pendingPoints: 0 });
    expect(await vestPoints(t.db, { now: after(14) })).toEqual({ lotsVested: 1, pointsVested: 100, membersAffected: 1 });
    expect(await vestPoints(t.db, { now: after(15) })).toEqual({ lotsVested: 0, pointsVested: 0, membersAffected: 0 });
    expect(await redeemPoints(t.db, { memberId: m.id, points: 40, referenceId: "pd-1-r2" }, { ...ACTOR, now: after(14) })).toMatchObject({
      availablePoints: 60,
    });
    // Twelve months after the purchase the points are still there: expiry counts from vesting.
    expect(await expirePoints(t.db, { now: new Date("2027-06-20T00:00:00Z") })).toMatchObject({ pointsExpired: 0 });
  });

  it("cancels the pending points of a purchase refunded inside the window, with no debt", async () => {
    const m = await newMember(t.db, "pd-2");
    await recordEvent(t.db, purchase("pd-2", "pd-2-o", 5_000), ctx);
    const refunded = await recordEvent(t.db, refund("pd-2", "pd-2-rf", "pd-2-o", 5_000), { ...ACTOR, now: after(3) });
    expect(refunded.points).toBe(-50);
    expect(await balanceOf(t.db, m.id)).toBe(0);
    expect(await getMemberSummary(t.db, "pd-2", after(3))).toMatchObject({ availablePoints: 0, pendingPoints: 0, tierSpend12m: 0 });
    expect(await vestPoints(t.db, { now: after(20) })).toMatchObject({ pointsVested: 0 });
  });

  it("vests at once a purchase recorded after its window closed, and never makes referrals pending", async () => {
    await newMember(t.db, "pd-3");
    const late = await recordEvent(t.db, purchase("pd-3", "pd-3-o", 2_000, "2026-05-01T00:00:00.000Z"), ctx);
    const referral = await recordEvent(t.db, { type: "referral", memberExternalId: "pd-3", referenceId: "pd-3-ref" }, ctx);
    const rows = await queryRows<{ vests_at: string | null }>(
      t.db,
      sql`SELECT vests_at FROM point_transactions WHERE id IN (${late.transactionId}, ${referral.transactionId})`,
    );
    expect(rows.map((r) => r.vests_at)).toEqual([null, null]);
    expect(await getMemberSummary(t.db, "pd-3", NOW)).toMatchObject({ availablePoints: 520, pendingPoints: 0 });
  });
});
