import { describe, expect, it } from "vitest";
import { and, eq, sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import { pgErrorOf } from "@/db/errors";
import { adjustmentRequests, auditLog, pointBalances, pointTransactions, programSettings, rewards, users } from "@/db/schema";
import { approvalReason } from "@/components/staff/approval-reason";
import { recordEvent } from "@/lib/loyalty/accrual/record-events";
import { adjustPoints } from "@/lib/loyalty/adjustments/adjust-points";
import {
  approveAdjustment,
  listPendingAdjustments,
  rejectAdjustment,
  requestAdjustment,
  type AdjustmentOutcome,
} from "@/lib/loyalty/adjustments/adjustment-requests";
import { redeemPoints } from "@/lib/loyalty/redemption/redeem-points";
import { approvalNeeded } from "@/lib/loyalty/rules/four-eyes";
import { runStaffForm } from "@/lib/forms/staff-form";
import { reverseMemberTransaction, type ReversalOutcome } from "@/lib/loyalty/members/support-console";
import { ACTOR, balanceOf, earn, newMember, refund, useLedgerDatabase } from "../support/ledger";
import { admin, secondAdmin, userActor } from "../support/actors";
import { loyaltyErrorOf } from "../support/errors";

/** The staff clock of this file: after the purchases (recorded at the ledger suites' NOW), before the real today. */
const T0 = new Date("2026-11-20T10:00:00.000Z");
const at = (ms: number) => ({ now: new Date(T0.getTime() + ms) });
const HOUR = 3_600_000;

function posted(outcome: AdjustmentOutcome | ReversalOutcome) {
  if (outcome.status !== "posted") throw new Error(`expected posted, got ${JSON.stringify(outcome)}`);
  return outcome;
}
function pending(outcome: AdjustmentOutcome | ReversalOutcome) {
  if (outcome.status !== "pending") throw new Error(`expected pending, got ${JSON.stringify(outcome)}`);
  return outcome;
}

describe("four-eyes rule (pure)", () => {
  const limits = { threshold: 10_000, dailyCap: 50_000 };
  it("sums this move with what the staff member moved, inclusive limits, redemptions always", () => {
    const move = { points: -1, reversesRedemption: false, movedForMember: 9_999, movedByStaff: 9_999 };
    expect(approvalNeeded(move, limits)).toBeNull();
    expect(approvalNeeded({ ...move, points: 2 }, limits)?.rule).toBe("member_threshold");
    expect(approvalNeeded({ ...move, movedByStaff: 49_999, points: 1 }, limits)).toBeNull();
    expect(approvalNeeded({ ...move, movedForMember: 0, movedByStaff: 49_999, points: -2 }, limits)?.rule).toBe("daily_cap");
    expect(approvalNeeded({ ...move, movedForMember: 0, movedByStaff: 0, points: 1, reversesRedemption: true }, limits)?.rule).toBe("redemption_reversal");
  });

  it("says in the console why a request waits", () => {
    const need = { points: 999, movedForMember: 9_990, movedByStaff: 9_990, threshold: 10_000, dailyCap: 50_000 };
    expect(approvalReason("member_threshold", need)).toBe("Over 10,000 points for one member in 24 hours (9,990 moved before this 999)");
    expect(approvalReason("daily_cap", need)).toMatch(/^Over the daily limit of 50,000 points per staff member/);
    expect(approvalReason("redemption_reversal", need)).toMatch(/^Reversing a redemption always needs a second person/);
  });
});

describe("four-eyes that cannot be walked around", () => {
  const t = useLedgerDatabase();
  let ref = 0;
  const nextRef = (p = "FE") => `${p}-${++ref}`;
  const staffMoves = async (actor: string, memberId: number) =>
    (
      await queryRows<{ n: number; total: string }>(
        t.db,
        sql`SELECT count(*)::int AS n, coalesce(sum(abs(amount)), 0) AS total FROM point_transactions
            WHERE created_by = ${actor} AND member_id = ${memberId} AND reference_type IN ('adjustment', 'reversal')`,
      )
    )[0]!;
  const requestOf = async (id: number) => (await t.db.select().from(adjustmentRequests).where(eq(adjustmentRequests.id, id)))[0]!;
  const setLimits = (threshold: number, dailyCap: number) =>
    t.db.update(programSettings).set({ adjustmentApprovalThreshold: threshold, staffDailyPointsCap: dailyCap }).where(eq(programSettings.id, 1));

  it("100 adjustments just under the threshold: only those within the 24-hour sum post, the rest wait; a day later the sum starts again", async () => {
    const m = await newMember(t.db, "fe-split");
    const agent = userActor("u-split", "support");
    const outcomes: AdjustmentOutcome[] = [];
    for (let i = 0; i < 100; i++) {
      outcomes.push(await requestAdjustment(t.db, agent, { memberId: m.id, points: 999, reason: "Split", referenceId: nextRef("SPLIT") }, at(i * 60_000)));
    }
    expect(outcomes.filter((o) => o.status === "posted")).toHaveLength(10);
    expect(outcomes.slice(0, 10).every((o) => o.status === "posted")).toBe(true);
    const waiting = outcomes.slice(10).map(pending);
    expect(waiting).toHaveLength(90);
    expect(waiting[0]).toMatchObject({ rule: "member_threshold", need: { movedForMember: 9_990, points: 999, threshold: 10_000 } });
    expect(await staffMoves("user:u-split", m.id)).toEqual({ n: 10, total: "9990" });
    expect(await balanceOf(t.db, m.id)).toBe(9_990);
    // Negative moves count by their size too.
    pending(await requestAdjustment(t.db, agent, { memberId: m.id, points: -20, reason: "Split", referenceId: nextRef("SPLIT") }, at(101 * 60_000)));
    // 24 hours after the first ten, the window has moved past them.
    const later = await requestAdjustment(
      t.db,
      agent,
      { memberId: m.id, points: 999, reason: "Next day", referenceId: nextRef("SPLIT") },
      at(24 * HOUR + 10 * 60_000),
    );
    expect(later.status).toBe("posted");
  });

  it("a reversal counts towards the sum, and one above the threshold waits; its pending request reserves the transaction", async () => {
    const m = await newMember(t.db, "fe-rev");
    const agent = userActor("u-rev", "support");
    const credit = posted(await requestAdjustment(t.db, agent, { memberId: m.id, points: 6_000, reason: "Goodwill", referenceId: nextRef() }, at(0)));
    // Reversing it would move another 6,000: 12,000 in 24 hours.
    const waiting = pending(
      await reverseMemberTransaction(t.db, agent, { memberId: m.id, transactionId: credit.transactionId, reason: "Posted by mistake" }, at(HOUR)),
    );
    expect(waiting).toMatchObject({ rule: "member_threshold", need: { points: -6_000, movedForMember: 6_000 } });
    expect(await balanceOf(t.db, m.id)).toBe(6_000);
    const request = await requestOf(waiting.requestId);
    expect(request).toMatchObject({
      referenceType: "reversal",
      referenceId: String(credit.transactionId),
      relatedTransactionId: credit.transactionId,
      points: -6_000,
    });
    // The same form again answers the pending request; another agent cannot reverse it meanwhile.
    expect(
      await reverseMemberTransaction(t.db, agent, { memberId: m.id, transactionId: credit.transactionId, reason: "Posted by mistake" }, at(HOUR)),
    ).toMatchObject({
      status: "pending",
      requestId: waiting.requestId,
      duplicate: true,
    });
    const other = userActor("u-rev-2", "support");
    const refused = await loyaltyErrorOf(
      reverseMemberTransaction(t.db, other, { memberId: m.id, transactionId: credit.transactionId, reason: "Me first" }, at(HOUR)),
    );
    expect(refused).toMatchObject({ code: "duplicate_reference", field: "transactionId" });
    // A single reversal above the threshold waits even for an agent with nothing moved today.
    const big = posted(await requestAdjustment(t.db, other, { memberId: m.id, points: 9_000, reason: "Migration", referenceId: nextRef() }, at(HOUR)));
    const third = userActor("u-rev-3", "support");
    await setLimits(5_000, 50_000);
    pending(await reverseMemberTransaction(t.db, third, { memberId: m.id, transactionId: big.transactionId, reason: "Wrong member" }, at(HOUR)));
    await setLimits(10_000, 50_000);

    const approved = await approveAdjustment(t.db, admin, waiting.requestId, at(2 * HOUR));
    expect(approved.adjustment).toMatchObject({ points: -6_000 });
    expect(await balanceOf(t.db, m.id)).toBe(9_000);
    const [reversal] = await t.db
      .select()
      .from(pointTransactions)
      .where(and(eq(pointTransactions.referenceType, "reversal"), eq(pointTransactions.referenceId, String(credit.transactionId))));
    expect(reversal).toMatchObject({ amount: -6_000, createdBy: "user:u-admin", relatedTransactionId: credit.transactionId });
  });

  it("every reversal of a redemption waits for approval; the approval gives the points back and restocks the reward, in one transaction", async () => {
    const m = await newMember(t.db, "fe-reward");
    await earn(t.db, "fe-reward", "fe-reward-o", 1_000);
    const [mug] = await t.db.insert(rewards).values({ name: "Mug", pointsCost: 100, stock: 3 }).returning();
    const [sticker] = await t.db.insert(rewards).values({ name: "Sticker", pointsCost: 40, stock: null }).returning();
    const ctx = { ...ACTOR, now: T0 };
    const r1 = await redeemPoints(t.db, { memberId: m.id, rewardId: mug!.id, referenceId: "fe-reward-r1" }, ctx);
    const r2 = await redeemPoints(t.db, { memberId: m.id, rewardId: sticker!.id, referenceId: "fe-reward-r2" }, ctx);
    const plain = await redeemPoints(t.db, { memberId: m.id, points: 10, referenceId: "fe-reward-r3" }, ctx);
    const stockOf = async (id: number) => (await t.db.select({ stock: rewards.stock }).from(rewards).where(eq(rewards.id, id)))[0]!.stock;
    expect(await stockOf(mug!.id)).toBe(2);

    const agent = userActor("u-reward", "support");
    const waits = [r1, r2, plain].map((r) => r.transactionId);
    const outcomes = [];
    for (const transactionId of waits) {
      outcomes.push(pending(await reverseMemberTransaction(t.db, agent, { memberId: m.id, transactionId, reason: "Not delivered" }, at(0))));
    }
    expect(outcomes.map((o) => o.rule)).toEqual(["redemption_reversal", "redemption_reversal", "redemption_reversal"]);
    expect(await balanceOf(t.db, m.id)).toBe(850);
    expect(await stockOf(mug!.id)).toBe(2);

    await approveAdjustment(t.db, admin, outcomes[0]!.requestId, at(HOUR));
    expect(await balanceOf(t.db, m.id)).toBe(950);
    expect(await stockOf(mug!.id)).toBe(3);
    await approveAdjustment(t.db, admin, outcomes[1]!.requestId, at(HOUR));
    expect(await stockOf(sticker!.id)).toBeNull();
    await rejectAdjustment(t.db, admin, outcomes[2]!.requestId, "It was delivered", at(HOUR));
    const [balance] = await t.db.select().from(pointBalances).where(eq(pointBalances.memberId, m.id));
    expect(balance).toMatchObject({ availablePoints: 990, totalRedeemed: 10 });
  });

  it("the daily cap spans members: an agent's 24-hour sum across members waits beyond it", async () => {
    await setLimits(10_000, 20_000);
    try {
      const agent = userActor("u-cap", "support");
      const ms = await Promise.all([1, 2, 3].map((i) => newMember(t.db, `fe-cap-${i}`)));
      const outcomes = [];
      for (const m of ms)
        outcomes.push(await requestAdjustment(t.db, agent, { memberId: m.id, points: 9_000, reason: "Promo", referenceId: nextRef() }, at(0)));
      expect(outcomes.map((o) => o.status)).toEqual(["posted", "posted", "pending"]);
      expect(pending(outcomes[2]!)).toMatchObject({ rule: "daily_cap", need: { movedByStaff: 18_000, dailyCap: 20_000 } });
    } finally {
      await setLimits(10_000, 50_000);
    }
  });

  it("concurrent requests by one agent for one member cannot both slip under the threshold (real connections)", async () => {
    const m = await newMember(t.db, "fe-race");
    const agent = userActor("u-race", "support");
    const pools = Array.from({ length: 8 }, () => t.connect(1));
    const outcomes = await Promise.all(
      pools.map((p) => requestAdjustment(p.db, agent, { memberId: m.id, points: 3_000, reason: "Race", referenceId: nextRef("RACE") }, at(0))),
    );
    expect(outcomes.filter((o) => o.status === "posted")).toHaveLength(3);
    expect(outcomes.filter((o) => o.status === "pending")).toHaveLength(5);
    expect(await staffMoves("user:u-race", m.id)).toEqual({ n: 3, total: "9000" });
  });

  it("concurrent requests by one agent across members cannot slip under the daily cap together (real connections)", async () => {
    await setLimits(10_000, 20_000);
    try {
      const agent = userActor("u-race-cap", "support");
      const ms = await Promise.all(Array.from({ length: 8 }, (_, i) => newMember(t.db, `fe-race-cap-${i}`)));
      const pools = ms.map(() => t.connect(1));
      const outcomes = await Promise.all(
        ms.map((m, i) => requestAdjustment(pools[i]!.db, agent, { memberId: m.id, points: 5_000, reason: "Race", referenceId: nextRef("RACECAP") }, at(0))),
      );
      expect(outcomes.filter((o) => o.status === "posted")).toHaveLength(4);
      const [moved] = await queryRows<{ total: string }>(
        t.db,
        sql`SELECT sum(abs(amount)) AS total FROM point_transactions WHERE created_by = 'user:u-race-cap'`,
      );
      expect(moved!.total).toBe("20000");
    } finally {
      await setLimits(10_000, 50_000);
    }
  });

  it("no one adjusts, reverses, approves or rejects for the member linked to their own account", async () => {
    const m = await newMember(t.db, "fe-own");
    const adminsOwn = await newMember(t.db, "fe-own-admin");
    await t.db.insert(users).values([
      { id: "u-own-support", email: "own-support@example.com", memberId: m.id },
      { id: "u-own-admin", email: "own-admin@example.com", memberId: adminsOwn.id },
    ]);
    const self = userActor("u-own-support", "support");
    const selfAdmin = userActor("u-own-admin", "admin", "support");
    const refused = await loyaltyErrorOf(requestAdjustment(t.db, self, { memberId: m.id, points: 5, reason: "Me", referenceId: nextRef() }, at(0)));
    expect(refused.code).toBe("forbidden");
    expect(refused.message).toMatch(/member linked to your own account/);
    // Not even by asking for approval.
    expect((await loyaltyErrorOf(requestAdjustment(t.db, self, { memberId: m.id, points: 50_000, reason: "Me", referenceId: nextRef() }, at(0)))).code).toBe(
      "forbidden",
    );
    // The console shows why.
    const form = await runStaffForm({ id: self.kind === "user" ? self.id : "", roles: ["support"] }, {}, async (actor) => {
      await requestAdjustment(t.db, actor, { memberId: m.id, points: 5, reason: "Me", referenceId: nextRef() }, at(0));
      return "posted";
    });
    expect(form).toMatchObject({ status: "error", formError: expect.stringMatching(/linked to your own account/) });

    const agent = userActor("u-own-other", "support");
    const credit = posted(await requestAdjustment(t.db, agent, { memberId: m.id, points: 100, reason: "Goodwill", referenceId: nextRef() }, at(0)));
    expect(
      (await loyaltyErrorOf(reverseMemberTransaction(t.db, self, { memberId: m.id, transactionId: credit.transactionId, reason: "Mine" }, at(0)))).code,
    ).toBe("forbidden");
    // The admin cannot approve nor reject a request for their own member, however it came.
    const big = pending(await requestAdjustment(t.db, agent, { memberId: adminsOwn.id, points: 20_000, reason: "Big", referenceId: nextRef() }, at(0)));
    const approveRefused = await loyaltyErrorOf(approveAdjustment(t.db, selfAdmin, big.requestId, at(HOUR)));
    expect(approveRefused).toMatchObject({ code: "forbidden", message: expect.stringMatching(/linked to your own account/) });
    expect((await loyaltyErrorOf(rejectAdjustment(t.db, selfAdmin, big.requestId, "No", at(HOUR)))).code).toBe("forbidden");
    expect(await balanceOf(t.db, adminsOwn.id)).toBe(0);
    expect((await requestOf(big.requestId)).status).toBe("pending");
    // Nor adjust it directly, as an admin with the support role.
    expect(
      (await loyaltyErrorOf(requestAdjustment(t.db, selfAdmin, { memberId: adminsOwn.id, points: 1, reason: "Me", referenceId: nextRef() }, at(0)))).code,
    ).toBe("forbidden");
    await approveAdjustment(t.db, secondAdmin, big.requestId, at(HOUR));
    expect(await balanceOf(t.db, adminsOwn.id)).toBe(20_000);
    expect(await balanceOf(t.db, m.id)).toBe(100);
  });

  it("no one approves their own request, reversal requests included", async () => {
    const m = await newMember(t.db, "fe-self-approve");
    await earn(t.db, "fe-self-approve", "fe-self-approve-o", 500);
    const r = await redeemPoints(t.db, { memberId: m.id, points: 200, referenceId: "fe-self-approve-r" }, { ...ACTOR, now: T0 });
    const both = userActor("u-both", "admin", "support");
    const waiting = pending(await reverseMemberTransaction(t.db, both, { memberId: m.id, transactionId: r.transactionId, reason: "Mine" }, at(0)));
    expect(await loyaltyErrorOf(approveAdjustment(t.db, both, waiting.requestId, at(HOUR)))).toMatchObject({
      code: "forbidden",
      message: expect.stringMatching(/second person/),
    });
    expect(await balanceOf(t.db, m.id)).toBe(300);
  });

  it("a pending request reserves its reference: a direct adjustment under it is refused, the approval posts exactly the request", async () => {
    const m = await newMember(t.db, "fe-reserve");
    const agent = userActor("u-reserve", "support");
    const big = pending(await requestAdjustment(t.db, agent, { memberId: m.id, points: 20_000, reason: "Migration", referenceId: "RES-1" }, at(0)));
    for (const actor of [agent, userActor("u-reserve-2", "support")]) {
      const refused = await loyaltyErrorOf(
        requestAdjustment(t.db, actor, { memberId: m.id, points: 50, reason: "Part of it", referenceId: "RES-1" }, at(60_000)),
      );
      expect(refused).toMatchObject({ code: "duplicate_reference", field: "referenceId" });
    }
    // Another member under the same reference is refused too.
    const other = await newMember(t.db, "fe-reserve-other");
    expect((await loyaltyErrorOf(requestAdjustment(t.db, agent, { memberId: other.id, points: 50, reason: "x", referenceId: "RES-1" }, at(60_000)))).code).toBe(
      "duplicate_reference",
    );
    expect(await t.db.select().from(pointTransactions).where(eq(pointTransactions.referenceId, "RES-1"))).toHaveLength(0);
    const approved = await approveAdjustment(t.db, admin, big.requestId, at(HOUR));
    expect(approved.adjustment).toMatchObject({ points: 20_000 });
    const rows = await t.db.select().from(pointTransactions).where(eq(pointTransactions.referenceId, "RES-1"));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ memberId: m.id, amount: 20_000, description: "Migration" });
    // Once approved, the approved posting does not count against the approver's or the agent's own sums.
    expect((await requestAdjustment(t.db, agent, { memberId: m.id, points: 9_000, reason: "Small", referenceId: nextRef() }, at(2 * HOUR))).status).toBe(
      "posted",
    );
  });

  it("an approval is never satisfied by a smaller adjustment already under its reference: it fails and writes nothing", async () => {
    const m = await newMember(t.db, "fe-satisfied");
    const agent = userActor("u-satisfied", "support");
    const big = pending(await requestAdjustment(t.db, agent, { memberId: m.id, points: 20_000, reason: "Migration", referenceId: "SAT-1" }, at(0)));
    // A writer that bypasses the staff services (a script calling the ledger directly) posts 10 under it.
    await adjustPoints(t.db, { memberId: m.id, points: 10, reason: "Migration", referenceId: "SAT-1" }, { actor: "cli", now: new Date(T0.getTime() + 60_000) });
    const failed = await loyaltyErrorOf(approveAdjustment(t.db, admin, big.requestId, at(HOUR)));
    expect(["conflict", "idempotency_conflict"]).toContain(failed.code);
    expect(await balanceOf(t.db, m.id)).toBe(10);
    expect((await requestOf(big.requestId)).status).toBe("pending");
    expect(
      await t.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.action, "adjustment.approve"), eq(auditLog.targetId, String(big.requestId)))),
    ).toHaveLength(0);
    // And a request under an already posted reference is never filed.
    const again = await requestAdjustment(
      t.db,
      userActor("u-satisfied-2", "support"),
      { memberId: m.id, points: 20_000, reason: "Migration", referenceId: "SAT-1" },
      at(0),
    ).catch((e: unknown) => e);
    expect(await t.db.select().from(adjustmentRequests).where(eq(adjustmentRequests.referenceId, "SAT-1"))).toHaveLength(1);
    expect(again).not.toMatchObject({ status: "pending" });
  });

  it("a reversal whose amount changed since its request (a refund meanwhile) fails on approval instead of posting something else", async () => {
    const m = await newMember(t.db, "fe-changed");
    const purchaseRow = await earn(t.db, "fe-changed", "fe-changed-o", 12_000);
    const agent = userActor("u-changed", "support");
    const waiting = pending(
      await reverseMemberTransaction(t.db, agent, { memberId: m.id, transactionId: purchaseRow.transactionId!, reason: "Cancelled" }, at(0)),
    );
    expect(waiting).toMatchObject({ rule: "member_threshold", need: { points: -12_000 } });
    await recordEvent(t.db, refund("fe-changed", "fe-changed-rf", "fe-changed-o", 100_000), { ...ACTOR, now: T0 });
    expect(await balanceOf(t.db, m.id)).toBe(11_000);
    const failed = await loyaltyErrorOf(approveAdjustment(t.db, admin, waiting.requestId, at(HOUR)));
    expect(failed).toMatchObject({ code: "conflict", message: expect.stringMatching(/-11000 points, not -12000/) });
    expect(await balanceOf(t.db, m.id)).toBe(11_000);
    expect((await requestOf(waiting.requestId)).status).toBe("pending");
    await rejectAdjustment(t.db, admin, waiting.requestId, "Amount changed, ask again", at(HOUR));
    // Decided, the transaction is free to be asked about again.
    const again = pending(
      await reverseMemberTransaction(t.db, agent, { memberId: m.id, transactionId: purchaseRow.transactionId!, reason: "Cancelled" }, at(2 * HOUR)),
    );
    expect(again.need.points).toBe(-11_000);
  });

  it("every approval and rejection is audited with actor, reason, before and after", async () => {
    const m = await newMember(t.db, "fe-audit");
    const agent = userActor("u-audit", "support");
    const a = pending(await requestAdjustment(t.db, agent, { memberId: m.id, points: 15_000, reason: "Migration", referenceId: nextRef() }, at(0)));
    const b = pending(await requestAdjustment(t.db, agent, { memberId: m.id, points: 16_000, reason: "Migration 2", referenceId: nextRef() }, at(0)));
    await approveAdjustment(t.db, admin, a.requestId, at(HOUR));
    await rejectAdjustment(t.db, secondAdmin, b.requestId, "Duplicate of the first", at(HOUR));
    const entries = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.memberId, m.id), eq(auditLog.targetType, "adjustment_request")));
    const byAction = new Map(entries.map((e) => [`${e.action}:${e.targetId}`, e]));
    expect(byAction.get(`adjustment.request:${a.requestId}`)).toMatchObject({
      actor: "user:u-audit",
      reason: "Migration",
      after: { status: "pending", approvalRule: "member_threshold" },
    });
    expect(byAction.get(`adjustment.approve:${a.requestId}`)).toMatchObject({
      actor: "user:u-admin",
      reason: "Migration",
      before: { status: "pending", requestedBy: "user:u-audit", points: 15_000, availablePoints: 0 },
      after: { status: "approved", decidedBy: "user:u-admin", points: 15_000, availablePoints: 15_000 },
    });
    expect(byAction.get(`adjustment.reject:${b.requestId}`)).toMatchObject({
      actor: "user:u-admin-2",
      reason: "Duplicate of the first",
      before: { status: "pending", requestedBy: "user:u-audit", points: 16_000 },
      after: { status: "rejected", decidedBy: "user:u-admin-2" },
    });
    const queue = await listPendingAdjustments(t.db, admin);
    expect(queue.map((q) => q.id)).not.toContain(a.requestId);
  });

  it("requests change only their status, once, enforced by the database", async () => {
    const m = await newMember(t.db, "fe-trigger");
    const agent = userActor("u-trigger", "support");
    const p = pending(await requestAdjustment(t.db, agent, { memberId: m.id, points: 30_000, reason: "Big", referenceId: "TRG-1" }, at(0)));
    const refused = async (statement: ReturnType<typeof sql>) => {
      const error = await t.db.execute(statement).then(
        () => null,
        (e: unknown) => e,
      );
      return pgErrorOf(error)?.code;
    };
    for (const change of [
      sql`UPDATE adjustment_requests SET points = 1 WHERE id = ${p.requestId}`,
      sql`UPDATE adjustment_requests SET reference_id = 'TRG-2' WHERE id = ${p.requestId}`,
      sql`UPDATE adjustment_requests SET member_id = member_id WHERE id = ${p.requestId}`, // not a decision either
    ]) {
      expect(await refused(change)).toBe("42501");
    }
    expect(
      await refused(
        sql`UPDATE adjustment_requests SET reason = 'Small', status = 'approved', decided_by = 'user:x', decided_at = now() WHERE id = ${p.requestId}`,
      ),
    ).toBe("42501");
    expect(await refused(sql`UPDATE adjustment_requests SET approval_rule = 'daily_cap' WHERE id = ${p.requestId}`)).toBe("42501");
    expect(
      await refused(sql`UPDATE adjustment_requests SET status = 'approved', decided_by = requested_by, decided_at = now() WHERE id = ${p.requestId}`),
    ).toBe("42501");
    expect(await refused(sql`UPDATE adjustment_requests SET status = 'approved' WHERE id = ${p.requestId}`)).toBe("42501");
    expect(await refused(sql`DELETE FROM adjustment_requests WHERE id = ${p.requestId}`)).toBe("42501");
    expect(await refused(sql`TRUNCATE adjustment_requests CASCADE`)).toBe("42501");
    // A decision is the one change allowed, and it is final.
    expect(
      await refused(sql`UPDATE adjustment_requests SET status = 'rejected', decided_by = 'user:x', decided_at = now() WHERE id = ${p.requestId}`),
    ).toBeUndefined();
    expect(await refused(sql`UPDATE adjustment_requests SET status = 'pending', decided_by = NULL, decided_at = NULL WHERE id = ${p.requestId}`)).toBe("42501");
    expect(await refused(sql`UPDATE adjustment_requests SET status = 'approved' WHERE id = ${p.requestId}`)).toBe("42501");
    expect(await requestOf(p.requestId)).toMatchObject({ status: "rejected", points: 30_000, referenceId: "TRG-1", reason: "Big" });
  });
});
