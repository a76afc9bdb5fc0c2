import { and, asc, eq } from "drizzle-orm";
import { z } from "zod";
import type { Db, Executor } from "@/db/client";
import { getMemberById } from "@/db/queries/members";
import { findByReferences } from "@/db/queries/transactions";
import { adjustmentRequests, members, type AdjustmentRequest } from "@/db/schema";
import { ADJUSTMENT_REFERENCE_TYPE, adjustPoints, type AdjustResult } from "./adjustments";
import { writeAudit } from "./audit";
import { LoyaltyError } from "./errors";
import { MAX_POINTS, referenceIdSchema } from "./events";
import { notifyMembersChanged } from "./ledger-events";
import { MAX_REASON_LENGTH } from "./reason";
import { getProgramSettings } from "./settings";
import { actorLabel, authorize, type Actor } from "./staff-permissions";
import { checkRowId, parseInput } from "./staff-validation";

const checkbox = z
  .union([z.boolean(), z.enum(["on", "true", "false"])])
  .optional()
  .transform((v) => v === true || v === "on" || v === "true");

export const adjustmentInputSchema = z
  .object({
    memberId: z.coerce.number().int().positive(),
    points: z
      .union([z.number(), z.string().trim().regex(/^[+-]?\d{1,10}$/, "must be a whole number, e.g. 500 or -200")])
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

export type AdjustmentOutcome =
  | ({ status: "posted" } & AdjustResult)
  | { status: "pending"; requestId: number; threshold: number; duplicate: boolean };

/**
 * A support agent's adjustment. Up to the programme's approval threshold it posts at once (with its
 * audit entry); above it, it waits in adjustment_requests for an admin who is not the requester.
 */
export async function requestAdjustment(
  db: Db,
  actor: Actor,
  input: unknown,
  options: { now?: Date } = {},
): Promise<AdjustmentOutcome> {
  authorize(actor, "members:support");
  const now = options.now ?? new Date();
  const fields = parseInput(adjustmentInputSchema, input);
  const { adjustmentApprovalThreshold: threshold } = await getProgramSettings(db);

  if (Math.abs(fields.points) <= threshold) {
    const result = await adjustPoints(db, fields, { now, actor: actorLabel(actor) });
    return { status: "posted", ...result };
  }

  return db.transaction(async (tx) => {
    const member = await getMemberById(tx, fields.memberId);
    if (!member) throw new LoyaltyError("member_not_found", `No member ${fields.memberId}`, { field: "memberId" });
    const [posted] = await findByReferences(tx, [{ referenceType: ADJUSTMENT_REFERENCE_TYPE, referenceId: fields.referenceId }]);
    if (posted) throw new LoyaltyError("duplicate_reference", "An adjustment with this reference was already posted.", { field: "referenceId" });
    const [created] = await tx
      .insert(adjustmentRequests)
      .values({ ...fields, requestedBy: actorLabel(actor), createdAt: now })
      .onConflictDoNothing()
      .returning();
    if (!created) {
      const [existing] = await tx.select().from(adjustmentRequests).where(eq(adjustmentRequests.referenceId, fields.referenceId));
      if (existing && existing.memberId === fields.memberId && existing.points === fields.points) {
        return { status: "pending", requestId: existing.id, threshold, duplicate: true };
      }
      throw new LoyaltyError("duplicate_reference", "This reference is already used by another adjustment request.", { field: "referenceId" });
    }
    await writeAudit(tx, {
      actor,
      action: "adjustment.request",
      targetType: "adjustment_request",
      targetId: created.id,
      memberId: created.memberId,
      reason: created.reason,
      after: { points: created.points, referenceId: created.referenceId, threshold, allowNegativeBalance: created.allowNegativeBalance },
    });
    return { status: "pending", requestId: created.id, threshold, duplicate: false };
  });
}

async function lockPending(tx: Executor, requestId: number): Promise<AdjustmentRequest> {
  checkRowId(requestId, "not_found", "adjustment request");
  const [request] = await tx.select().from(adjustmentRequests).where(eq(adjustmentRequests.id, requestId)).for("update");
  if (!request) throw new LoyaltyError("not_found", `No adjustment request ${requestId}`);
  if (request.status !== "pending") throw new LoyaltyError("conflict", `This request was already ${request.status}.`);
  return request;
}

/**
 * An admin other than the requester approves: the adjustment posts in the same transaction that
 * marks the request approved, under the request's row lock, so two approvers racing post it once.
 */
export async function approveAdjustment(
  db: Db,
  actor: Actor,
  requestId: number,
  options: { now?: Date } = {},
): Promise<{ request: AdjustmentRequest; adjustment: AdjustResult }> {
  authorize(actor, "adjustments:approve");
  const now = options.now ?? new Date();
  const approver = actorLabel(actor);
  const outcome = await db.transaction(async (tx) => {
    const request = await lockPending(tx, requestId);
    if (request.requestedBy === approver) {
      throw new LoyaltyError("forbidden", "A second person must approve: you requested this adjustment.");
    }
    const adjustment = await adjustPoints(
      tx as unknown as Db,
      {
        memberId: request.memberId,
        points: request.points,
        reason: request.reason,
        referenceId: request.referenceId,
        allowNegativeBalance: request.allowNegativeBalance,
      },
      { now, actor: approver },
    );
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
      before: { status: "pending", requestedBy: request.requestedBy },
      after: { status: "approved", transactionId: adjustment.transactionId, points: request.points },
    });
    return { request: approved!, adjustment };
  });
  // adjustPoints notified inside our (then uncommitted) transaction; say it again now it is visible.
  await notifyMembersChanged([outcome.request.memberId]);
  return outcome;
}

export async function rejectAdjustment(
  db: Db,
  actor: Actor,
  requestId: number,
  reason: string,
  options: { now?: Date } = {},
): Promise<AdjustmentRequest> {
  authorize(actor, "adjustments:approve");
  const now = options.now ?? new Date();
  const why = reason.trim();
  if (!why || why.length > MAX_REASON_LENGTH) throw new LoyaltyError("validation_failed", "A reason is required.", { field: "reason" });
  return db.transaction(async (tx) => {
    const request = await lockPending(tx, requestId);
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
      before: { status: "pending", points: request.points, requestedBy: request.requestedBy },
      after: { status: "rejected" },
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
