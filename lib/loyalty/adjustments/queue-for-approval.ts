import type { Db } from "@/db/client";
import { PG_UNIQUE_VIOLATION, pgErrorOf } from "@/db/errors";
import { lockBalances } from "@/db/queries/balances";
import { lockReference, pendingRequestFor } from "@/db/queries/four-eyes";
import { getMemberById } from "@/db/queries/members";
import { findByReferences } from "@/db/queries/transactions";
import { adjustmentRequests } from "@/db/schema";
import { writeAudit } from "../audit/audit-log";
import { LoyaltyError } from "../errors";
import { refuseOwnMember } from "./four-eyes-guards";
import type { ApprovalNeed, ApprovalRule } from "../rules/four-eyes";
import { actorLabel, type Actor } from "../access/staff-permissions";
import { RetryTransaction, withTransactionRetry } from "../ledger/transaction-retry";

/** What a staff member asked for, as the ledger would post it. */
export interface ApprovalDraft {
  memberId: number;
  points: number;
  reason: string;
  referenceType: "adjustment" | "reversal";
  referenceId: string;
  /** A reversal's target. */
  relatedTransactionId?: number;
  allowNegativeBalance?: boolean;
}

export interface ApprovalPending {
  status: "pending";
  requestId: number;
  rule: ApprovalRule;
  need: ApprovalNeed;
  /** The same request was already waiting (a resubmitted form). */
  duplicate: boolean;
}

/**
 * Files a request that a second person must decide, under the member's balance lock and the
 * reference's lock, so it cannot race a direct post under the same reference. A reference already
 * posted is refused (an approval could never post it); the same request again answers the pending
 * one; a different request under a pending reference is refused.
 */
export async function queueForApproval(db: Db, actor: Actor, draft: ApprovalDraft, need: ApprovalNeed, now: Date): Promise<ApprovalPending> {
  const isReversal = draft.referenceType === "reversal";
  const field = isReversal ? "transactionId" : "referenceId";
  return withTransactionRetry(() =>
    db.transaction(async (tx) => {
      const member = await getMemberById(tx, draft.memberId);
      if (!member) throw new LoyaltyError("member_not_found", `No member ${draft.memberId}`, { field: "memberId" });
      await lockBalances(tx, [member.id]);
      await refuseOwnMember(tx, actor, member.id, isReversal ? "reverse" : "adjust");
      await lockReference(tx, draft.referenceType, draft.referenceId);
      const [posted] = await findByReferences(tx, [{ referenceType: draft.referenceType, referenceId: draft.referenceId }]);
      if (posted) {
        throw isReversal
          ? new LoyaltyError("already_reversed", `Transaction ${draft.referenceId} was already reversed by transaction ${posted.id}.`, { field })
          : new LoyaltyError("duplicate_reference", "An adjustment with this reference was already posted.", { field });
      }
      const existing = await pendingRequestFor(tx, draft.referenceType, draft.referenceId);
      if (existing) {
        if (existing.memberId === draft.memberId && existing.points === draft.points) {
          const seen = (existing.approvalContext as ApprovalNeed | null) ?? need;
          return { status: "pending" as const, requestId: existing.id, rule: existing.approvalRule as ApprovalRule, need: seen, duplicate: true };
        }
        throw new LoyaltyError("duplicate_reference", `This reference is already used by request #${existing.id}, waiting for approval.`, { field });
      }
      const requestedBy = actorLabel(actor);
      const created = await tx
        .insert(adjustmentRequests)
        .values({
          memberId: draft.memberId,
          points: draft.points,
          reason: draft.reason,
          referenceType: draft.referenceType,
          referenceId: draft.referenceId,
          relatedTransactionId: draft.relatedTransactionId ?? null,
          allowNegativeBalance: draft.allowNegativeBalance ?? false,
          approvalRule: need.rule,
          approvalContext: need,
          requestedBy,
          createdAt: now,
        })
        .returning()
        .catch((error: unknown) => {
          // The reference lock makes this unreachable in practice; the unique index is the last word.
          if (pgErrorOf(error)?.code === PG_UNIQUE_VIOLATION) throw new RetryTransaction("a request took this reference concurrently");
          throw error;
        });
      const request = created[0]!;
      await writeAudit(tx, {
        actor,
        action: isReversal ? "reversal.request" : "adjustment.request",
        targetType: "adjustment_request",
        targetId: request.id,
        memberId: request.memberId,
        reason: request.reason,
        after: {
          status: "pending",
          points: request.points,
          referenceType: request.referenceType,
          referenceId: request.referenceId,
          allowNegativeBalance: request.allowNegativeBalance,
          approvalRule: need.rule,
          approvalContext: need,
        },
      });
      return { status: "pending" as const, requestId: request.id, rule: need.rule, need, duplicate: false };
    }),
  );
}
