import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq, sql } from "drizzle-orm";
import { adjustmentRequests, auditLog, pointBalances, pointTransactions, programSettings, type Member } from "@/db/schema";
import { approveAdjustment, listPendingAdjustments, rejectAdjustment, requestAdjustment } from "@/lib/loyalty/adjustments/adjustment-requests";
import { ensureMember } from "@/lib/loyalty/members/ensure-member";
import { getMemberProfile, reverseMemberTransaction } from "@/lib/loyalty/members/support-console";
import { createTestDatabase, type TestDatabase } from "../../support/test-database";
import { admin, marketing, member as memberActor, secondAdmin, support, userActor } from "../support/actors";
import { loyaltyErrorOf } from "../support/errors";

describe("support adjustments and the approval rule", () => {
  let t: TestDatabase;
  let m: Member;
  let ref = 0;
  const nextRef = () => `TICKET-${++ref}`;
  const balance = async () => (await t.db.select().from(pointBalances).where(eq(pointBalances.memberId, m.id)))[0]!.availablePoints;
  const adjustRows = async () =>
    (
      await t.db
        .select({ n: sql<number>`count(*)::int` })
        .from(pointTransactions)
        .where(and(eq(pointTransactions.memberId, m.id), eq(pointTransactions.type, "adjust")))
    )[0]!.n;

  beforeAll(async () => {
    t = await createTestDatabase();
    m = (await ensureMember(t.db, { externalId: "m-support", email: "s@example.com" })).member;
  });
  afterAll(() => t.drop());

  it("posts a small adjustment at once, with reason and reference, audited with before and after", async () => {
    const outcome = await requestAdjustment(t.db, support, { memberId: String(m.id), points: "+500", reason: "Goodwill", referenceId: nextRef() });
    expect(outcome).toMatchObject({ status: "posted", points: 500, availablePoints: 500 });
    const [entry] = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.memberId, m.id), eq(auditLog.action, "points.adjust")));
    expect(entry).toMatchObject({ actor: "user:u-support", reason: "Goodwill", before: { availablePoints: 0 } });
  });

  it("requires a reason and a reference", async () => {
    for (const bad of [
      { memberId: m.id, points: 5, reason: "  ", referenceId: nextRef() },
      { memberId: m.id, points: 5, reason: "x" },
      { memberId: m.id, points: 0, reason: "x", referenceId: nextRef() },
      { memberId: m.id, points: "1.5", reason: "x", referenceId: nextRef() },
    ]) {
      expect((await loyaltyErrorOf(requestAdjustment(t.db, support, bad))).code).toBe("validation_failed");
    }
  });

  it("refuses to go below zero unless the agent confirms explicitly", async () => {
    const error = await loyaltyErrorOf(requestAdjustment(t.db, support, { memberId: m.id, points: -800, reason: "Chargeback", referenceId: nextRef() }));
    expect(error.code).toBe("negative_balance");
    expect(await balance()).toBe(500);
    const confirmed = await requestAdjustment(t.db, support, {
      memberId: m.id,
      points: -800,
      reason: "Chargeback",
      referenceId: nextRef(),
      allowNegativeBalance: "on",
    });
    expect(confirmed).toMatchObject({ status: "posted", points: -800 });
    expect(await balance()).toBe(-300);
    await requestAdjustment(t.db, support, { memberId: m.id, points: 300, reason: "Back to zero", referenceId: nextRef() });
  });

  it("queues an adjustment over the threshold instead of posting it", async () => {
    const before = await adjustRows();
    const outcome = await requestAdjustment(t.db, support, { memberId: m.id, points: 10_001, reason: "Migration", referenceId: "BIG-1" });
    expect(outcome).toMatchObject({ status: "pending", rule: "member_threshold", need: { threshold: 10_000 }, duplicate: false });
    expect(await adjustRows()).toBe(before);
    const again = await requestAdjustment(t.db, support, { memberId: m.id, points: 10_001, reason: "Migration", referenceId: "BIG-1" });
    expect(again).toMatchObject({ status: "pending", duplicate: true });
    // exactly the threshold still posts (a member this agent has not touched today)
    const fresh = (await ensureMember(t.db, { externalId: "m-edge" })).member;
    expect((await requestAdjustment(t.db, support, { memberId: fresh.id, points: 10_000, reason: "Edge", referenceId: nextRef() })).status).toBe("posted");
    const profile = await getMemberProfile(t.db, support, "m-support");
    expect(profile.pendingAdjustments.map((p) => p.referenceId)).toEqual(["BIG-1"]);
  });

  it("follows the configured threshold", async () => {
    await t.db.update(programSettings).set({ adjustmentApprovalThreshold: 100 }).where(eq(programSettings.id, 1));
    const outcome = await requestAdjustment(t.db, support, { memberId: m.id, points: -101, reason: "Small", referenceId: nextRef() });
    expect(outcome.status).toBe("pending");
    await t.db.update(programSettings).set({ adjustmentApprovalThreshold: 10_000 }).where(eq(programSettings.id, 1));
  });

  it("cannot be approved by its requester, nor by a non-admin", async () => {
    const requester = userActor("u-admin-support", "admin", "support");
    const outcome = await requestAdjustment(t.db, requester, { memberId: m.id, points: 20_000, reason: "Bulk", referenceId: "BIG-2" });
    if (outcome.status !== "pending") throw new Error("expected pending");
    expect((await loyaltyErrorOf(approveAdjustment(t.db, requester, outcome.requestId))).code).toBe("forbidden");
    for (const actor of [support, marketing, memberActor]) {
      expect((await loyaltyErrorOf(approveAdjustment(t.db, actor, outcome.requestId))).code).toBe("forbidden");
      expect((await loyaltyErrorOf(rejectAdjustment(t.db, actor, outcome.requestId, "no"))).code).toBe("forbidden");
    }
    const [request] = await t.db.select().from(adjustmentRequests).where(eq(adjustmentRequests.id, outcome.requestId));
    expect(request!.status).toBe("pending");
  });

  it("answers not_found for a request id that is not a number (a tampered form), writing nothing", async () => {
    const admin = userActor("u-admin-ids", "admin");
    for (const requestId of [Number("abc"), -1, 1.5]) {
      expect((await loyaltyErrorOf(approveAdjustment(t.db, admin, requestId))).code).toBe("not_found");
      expect((await loyaltyErrorOf(rejectAdjustment(t.db, admin, requestId, "no"))).code).toBe("not_found");
    }
  });

  it("posts exactly once when two admins approve at the same moment", async () => {
    const outcome = await requestAdjustment(t.db, support, { memberId: m.id, points: 15_000, reason: "Race", referenceId: "BIG-3" });
    if (outcome.status !== "pending") throw new Error("expected pending");
    const before = await balance();
    const a = t.connect(2);
    const b = t.connect(2);
    const results = await Promise.allSettled([
      approveAdjustment(a.db, admin, outcome.requestId),
      approveAdjustment(b.db, secondAdmin, outcome.requestId),
      approveAdjustment(t.db, admin, outcome.requestId),
    ]);
    const fulfilled = results.filter((r) => r.status === "fulfilled");
    expect(fulfilled).toHaveLength(1);
    for (const r of results) if (r.status === "rejected") expect((r.reason as { code: string }).code).toBe("conflict");
    expect(await balance()).toBe(before + 15_000);
    const rows = await t.db.select().from(pointTransactions).where(eq(pointTransactions.referenceId, "BIG-3"));
    expect(rows).toHaveLength(1);
    const [request] = await t.db.select().from(adjustmentRequests).where(eq(adjustmentRequests.id, outcome.requestId));
    expect(request).toMatchObject({ status: "approved" });
    expect(request!.decidedBy).toMatch(/^user:u-admin/);
    const approvals = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "adjustment.approve"), eq(auditLog.targetId, String(outcome.requestId))));
    expect(approvals).toHaveLength(1);
    expect(approvals[0]!.after).toMatchObject({ status: "approved", transactionId: rows[0]!.id, points: 15_000 });
  });

  it("rejects with a reason, after which it can no longer be approved", async () => {
    const outcome = await requestAdjustment(t.db, support, {
      memberId: m.id,
      points: -50_000,
      reason: "Fraud",
      referenceId: "BIG-4",
      allowNegativeBalance: true,
    });
    if (outcome.status !== "pending") throw new Error("expected pending");
    const rejected = await rejectAdjustment(t.db, admin, outcome.requestId, "Not justified");
    expect(rejected.status).toBe("rejected");
    expect((await loyaltyErrorOf(approveAdjustment(t.db, secondAdmin, outcome.requestId))).code).toBe("conflict");
    const pending = await listPendingAdjustments(t.db, admin);
    expect(pending.map((p) => p.referenceId)).not.toContain("BIG-4");
  });

  it("reverses one of the member's transactions with a reason, and only that member's", async () => {
    // Another agent: u-support's moves for m today are over the four-eyes threshold already.
    const agent = userActor("u-support-rev", "support");
    const posted = await requestAdjustment(t.db, agent, { memberId: m.id, points: 70, reason: "Oops", referenceId: nextRef() });
    if (posted.status !== "posted") throw new Error("expected posted");
    const before = await balance();
    const other = (await ensureMember(t.db, { externalId: "m-other" })).member;
    expect((await loyaltyErrorOf(reverseMemberTransaction(t.db, support, { memberId: other.id, transactionId: posted.transactionId, reason: "x" }))).code).toBe(
      "transaction_not_found",
    );
    expect((await loyaltyErrorOf(reverseMemberTransaction(t.db, marketing, { memberId: m.id, transactionId: posted.transactionId, reason: "x" }))).code).toBe(
      "forbidden",
    );
    const reversed = await reverseMemberTransaction(t.db, agent, { memberId: m.id, transactionId: posted.transactionId, reason: "Posted twice" });
    if (reversed.status !== "posted") throw new Error("expected posted");
    expect(reversed.points).toBe(-70);
    expect(await balance()).toBe(before - 70);
    const [entry] = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.memberId, m.id), eq(auditLog.action, "points.reverse")));
    expect(entry).toMatchObject({ actor: "user:u-support-rev", reason: "Posted twice" });
  });

  it("refuses marketing and members for support functions", async () => {
    for (const actor of [marketing, memberActor]) {
      expect((await loyaltyErrorOf(requestAdjustment(t.db, actor, { memberId: m.id, points: 1, reason: "x", referenceId: nextRef() }))).code).toBe("forbidden");
      expect((await loyaltyErrorOf(getMemberProfile(t.db, actor, "m-support"))).code).toBe("forbidden");
      expect((await loyaltyErrorOf(listPendingAdjustments(t.db, actor))).code).toBe("forbidden");
    }
  });
});
