import { and, asc, eq } from "drizzle-orm";
import { z } from "zod";
import type { Db, Executor, Tx } from "@/db/client";
import { adjustmentRequests, members, type AdjustmentRequest } from "@/db/schema";
import { ADJUSTMENT_REFERENCE_TYPE, adjustPoints, type AdjustResult } from "./adjust-points";
import { queueForApproval, type ApprovalPending } from "./queue-for-approval";
import { writeAudit } from "../audit/audit-log";
import { LoyaltyError } from "../errors";
import { MAX_POINTS, referenceIdSchema } from "../accrual/event-input";
import { approvalGuard, isApprovalRequired, refuseOwnMember, staffGuard } from "./four-eyes-guards";
import { notifyMembersChanged } from "../ledger/members-changed";
import { MAX_REASON_LENGTH } from "./check-reason";
import { REVERSAL_REFERENCE_TYPE, reverseTransaction } from "./reverse-transaction";
import { actorLabel, authorize, type Actor } from "../access/staff-permissions";
import { checkRowId, parseInput } from "../input/parse-input";

const checkbox = z
  .union([z.boolean(), z.enum(["on", "true", "false"])])
  .optional()
  .transform((v) => v === true || v === "on" || v === "true");

export const adjustmentInputSchema = z
  .object({
    memberId: z.coerce.number().int().positive(),
    points: z
      .union([
        z.number(),
        z
          .string()
          .trim()
          .regex(/^[+-]?\d{1,10}$/, "must be a whole number, e.g. 500 or -200"),
      ])
      .transform(Number)
      .pipe(
        z
          .number()
          .int("must be a whole number")
          .refine((n) => n !== 0, "must not be 0")
          .refine((n) => Math.abs(n) <= MAX_POINTS, `must be at most ${MAX_POINTS} either way`),
      ),
    reason: z.string().trim().min(1, "is required").max(MAX_REASON_LENGTH),
    referenceId: referenceIdSchema,
    allowNegativeBalance: checkbox,
  })
  .strict();

export type AdjustmentInput = z.input<typeof adjustmentInputSchema>;

export type AdjustmentOutcome = ({ status: "posted" } & AdjustResult) | ApprovalPending;

/**
 * A support agent's adjustment. It posts at once (with its audit entry) while what this agent moved
 * stays within the four-eyes limits (lib/loyalty/rules/four-eyes.ts: per member and across members,
 * rolling 24 hours, checked under the member's balance lock); beyond them it waits in
 * adjustment_requests for an admin who is not the requester. Never for the agent's own member.
 */
export async function requestAdjustment(db: Db, actor: Actor, input: unknown, options: { now?: Date } = {}): Promise<AdjustmentOutcome> {
  authorize(actor, "members:support");
  const now = options.now ?? new Date();
  const fields = parseInput(adjustmentInputSchema, input);
  try {
    const result = await adjustPoints(db, fields, { now, actor: actorLabel(actor), guard: staffGuard(actor, now) });
    return { status: "posted", ...result };
  } catch (error) {
    if (!isApprovalRequired(error)) throw error;
    return queueForApproval(db, actor, { ...fields, referenceType: ADJUSTMENT_REFERENCE_TYPE }, error.details, now);
  }
}

async function lockPending(tx: Executor, requestId: number): Promise<AdjustmentRequest> {
  checkRowId(requestId, "not_found", "adjustment request");
  const [request] = await tx.select().from(adjustmentRequests).where(eq(adjustmentRequests.id, requestId)).for("update");
  if (!request) throw new LoyaltyError("not_found", `No adjustment request ${requestId}`);
  if (request.status !== "pending") throw new LoyaltyError("conflict", `This request was already ${request.status}.`);
  return request;
}

/** What the approval posted: the ledger row and the balance after it. */
export interface ApprovedPosting {
  transactionId: number;
  points: number;
  availablePoints: number;
}

/**
 * Posts exactly the request (member, points, reason, reference) or fails: an adjustment already
 * posted under its reference is not this request; a reversal that would now move other points
 * (a refund meanwhile) is refused by the approval guard.
 */
async function postApproved(tx: Tx, request: AdjustmentRequest, approver: Actor, now: Date): Promise<ApprovedPosting> {
  const ctx = { now, actor: actorLabel(approver), guard: approvalGuard(request, approver) };
  // adjustPoints/reverseTransaction open a savepoint on our transaction, so all of it commits together.
  const nested = tx as unknown as Db;
  if (request.referenceType === REVERSAL_REFERENCE_TYPE) {
    const reversal = await reverseTransaction(nested, { transactionId: request.relatedTransactionId!, reason: request.reason }, ctx);
    return { transactionId: reversal.transactionId, points: reversal.points, availablePoints: reversal.availablePoints };
  }
  const adjustment = await adjustPoints(
    nested,
    {
      memberId: request.memberId,
      points: request.points,
      reason: request.reason,
      referenceId: request.referenceId,
      allowNegativeBalance: request.allowNegativeBalance,
    },
    ctx,
  );
  if (adjustment.duplicate) {
    throw new LoyaltyError(
      "conflict",
      `Transaction #${adjustment.transactionId} was already posted under reference ${request.referenceId}; it is not this request, which cannot be approved. Reject it.`,
    );
  }
  return adjustment;
}

/**
 * An admin other than the requester, not linked to the member, approves: the adjustment or
 * reversal posts in the same transaction that marks the request approved, under the request's row
 * lock, so two approvers racing post it once.
 */
export async function approveAdjustment(
  db: Db,
  actor: Actor,
  requestId: number,
  options: { now?: Date } = {},
): Promise<{ request: AdjustmentRequest; adjustment: ApprovedPosting }> {
  authorize(actor, "adjustments:approve");
  const now = options.now ?? new Date();
  const approver = actorLabel(actor);
  const outcome = await db.transaction(async (tx) => {
    const request = await lockPending(tx, requestId);
    if (request.requestedBy === approver) {
      throw new LoyaltyError("forbidden", "A second person must approve: you requested this one.", { details: { refusal: "own_request" } });
    }
    await refuseOwnMember(tx, actor, request.memberId, "approve");
    const adjustment = await postApproved(tx, request, actor, now);
    const [approved] = await tx
      .update(adjustmentRequests)
      .set({ status: "approved", decidedBy: approver, decidedAt: now })
      .where(eq(adjustmentRequests.id, requestId))
      .returning();
    await writeAudit(tx, {
      actor,
      action: "adjustment.approve",
      targetType: "adjustment_request",
      targetId: requestId,
      memberId: request.memberId,
      reason: request.reason,
      before: requestState(request, adjustment.availablePoints - adjustment.points),
      after: {
        status: "approved",
        decidedBy: approver,
        transactionId: adjustment.transactionId,
        points: adjustment.points,
        availablePoints: adjustment.availablePoints,
      },
    });
    return { request: approved!, adjustment };
  });
  // The ledger notified inside our (then uncommitted) transaction; say it again now it is visible.
  await notifyMembersChanged([outcome.request.memberId]);
  return outcome;
}

/** The request as the decider saw it, for the audit entry's `before`. */
function requestState(request: AdjustmentRequest, availablePoints?: number) {
  return {
    status: request.status,
    requestedBy: request.requestedBy,
    points: request.points,
    referenceType: request.referenceType,
    referenceId: request.referenceId,
    approvalRule: request.approvalRule,
    ...(availablePoints === undefined ? {} : { availablePoints }),
  };
}

export async function rejectAdjustment(db: Db, actor: Actor, requestId: number, reason: string, options: { now?: Date } = {}): Promise<AdjustmentRequest> {
  authorize(actor, "adjustments:approve");
  const now = options.now ?? new Date();
  const why = reason.trim();
  if (!why || why.length > MAX_REASON_LENGTH) throw new LoyaltyError("validation_failed", "A reason is required.", { field: "reason" });
  return db.transaction(async (tx) => {
    const request = await lockPending(tx, requestId);
    await refuseOwnMember(tx, actor, request.memberId, "reject");
    const [rejected] = await tx
      .update(adjustmentRequests)
      .set({ status: "rejected", decidedBy: actorLabel(actor), decidedAt: now })
      .where(eq(adjustmentRequests.id, requestId))
      .returning();
    await writeAudit(tx, {
      actor,
      action: "adjustment.reject",
      targetType: "adjustment_request",
      targetId: requestId,
      memberId: request.memberId,
      reason: why,
      before: requestState(request),
      after: { status: "rejected", decidedBy: actorLabel(actor) },
    });
    return rejected!;
  });
}

export type PendingAdjustment = AdjustmentRequest & { memberExternalId: string; memberName: string | null };

/** The approval queue, oldest first, over the partial index of pending requests. */
export async function listPendingAdjustments(ex: Executor, actor: Actor, limit = 50): Promise<PendingAdjustment[]> {
  authorize(actor, "members:support");
  const rows = await ex
    .select({ request: adjustmentRequests, memberExternalId: members.externalId, memberName: members.name })
    .from(adjustmentRequests)
    .innerJoin(members, eq(members.id, adjustmentRequests.memberId))
    .where(and(eq(adjustmentRequests.status, "pending")))
    .orderBy(asc(adjustmentRequests.createdAt))
    .limit(Math.min(limit, 200));
  return rows.map((r) => ({ ...r.request, memberExternalId: r.memberExternalId, memberName: r.memberName }));
}
