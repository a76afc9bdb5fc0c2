import type { Executor, Tx } from "@/db/client";
import { linkedMemberOf, lockReference, lockStaffMoves, pendingRequestFor, staffMovedPoints } from "@/db/queries/four-eyes";
import type { AdjustmentRequest, PointTransaction } from "@/db/schema";
import type { LedgerContext } from "../accrual/record-events";
import { LoyaltyError } from "../errors";
import { approvalNeeded, fourEyesWindowStart, type ApprovalNeed, type ApprovalRule, type FourEyesLimits } from "../rules/four-eyes";
import { getProgramSettings } from "../program/get-program-settings";
import { actorLabel, type Actor } from "../access/staff-permissions";

/** One ledger move a staff member is about to post, as the ledger sees it under the member's balance lock. */
export interface LedgerMove {
  memberId: number;
  /** Signed change of the balance. */
  points: number;
  referenceType: "adjustment" | "reversal";
  referenceId: string;
  /** The row a reversal reverses. */
  reverses?: PointTransaction;
}

/**
 * Called by adjustPoints and reverseTransaction inside their transaction, after the member's
 * balance lock and the replay check, right before the write; throwing rolls the move back. So a
 * rule computed here sees every move that committed before it, and none can slip in meanwhile.
 */
export type LedgerGuard = (tx: Tx, move: LedgerMove) => Promise<void>;

export interface GuardedContext extends LedgerContext {
  guard?: LedgerGuard;
}

export type StaffVerb = "adjust" | "reverse" | "approve" | "reject";

/** No one moves, or decides on, the points of the member linked to their own account. */
export async function refuseOwnMember(ex: Executor, actor: Actor, memberId: number, verb: StaffVerb): Promise<void> {
  if (actor.kind !== "user") return;
  if ((await linkedMemberOf(ex, actor.id)) !== memberId) return;
  const what = verb === "approve" || verb === "reject" ? `${verb} requests` : `${verb} points`;
  throw new LoyaltyError("forbidden", `You cannot ${what} for the member linked to your own account: another staff member must do it.`, {
    details: { refusal: "own_member" },
  });
}

export async function fourEyesLimits(ex: Executor): Promise<FourEyesLimits> {
  const settings = await getProgramSettings(ex);
  return { threshold: settings.adjustmentApprovalThreshold, dailyCap: settings.staffDailyPointsCap };
}

/** A pending request reserves its reference: nothing else posts under it until it is decided. */
function reservedError(move: Pick<LedgerMove, "referenceType" | "referenceId">, pending: AdjustmentRequest): LoyaltyError {
  const message =
    move.referenceType === "reversal"
      ? `A reversal of transaction #${move.referenceId} is waiting for approval (request #${pending.id}).`
      : `Reference ${move.referenceId} is reserved by request #${pending.id}, which is waiting for approval.`;
  return new LoyaltyError("duplicate_reference", message, {
    field: move.referenceType === "reversal" ? "transactionId" : "referenceId",
    details: { requestId: pending.id },
  });
}

/** The need a pending request recorded (requests filed before the rules existed recorded none). */
function recordedNeed(request: AdjustmentRequest): ApprovalNeed {
  const seen = request.approvalContext as ApprovalNeed | null;
  return seen ?? { rule: request.approvalRule as ApprovalRule, points: request.points, movedForMember: 0, movedByStaff: 0, threshold: 0, dailyCap: 0 };
}

function approvalRequired(need: ApprovalNeed): LoyaltyError {
  return new LoyaltyError("approval_required", `This needs an admin's approval (${need.rule}).`, { details: { ...need } });
}

export function isApprovalRequired(error: unknown): error is LoyaltyError & { details: ApprovalNeed } {
  return error instanceof LoyaltyError && error.code === "approval_required" && typeof error.details?.rule === "string";
}

/**
 * The guard of a staff member posting on their own authority: not for their own member, not under a
 * reserved reference, and within the four-eyes sums (lib/loyalty/rules/four-eyes.ts); otherwise
 * `approval_required` carrying the rule, and the caller files a request instead.
 */
export function staffGuard(actor: Actor, now: Date): LedgerGuard {
  return async (tx, move) => {
    await refuseOwnMember(tx, actor, move.memberId, move.referenceType === "reversal" ? "reverse" : "adjust");
    const label = actorLabel(actor);
    await lockReference(tx, move.referenceType, move.referenceId);
    const pending = await pendingRequestFor(tx, move.referenceType, move.referenceId);
    if (pending) {
      // The same request sent again (a resubmitted form) answers the pending one; anything else is refused.
      const same = pending.memberId === move.memberId && pending.points === move.points && pending.requestedBy === label;
      throw same ? approvalRequired(recordedNeed(pending)) : reservedError(move, pending);
    }
    await lockStaffMoves(tx, label);
    const limits = await fourEyesLimits(tx);
    const moved = await staffMovedPoints(tx, { actor: label, memberId: move.memberId, since: fourEyesWindowStart(now), until: now });
    const need = approvalNeeded(
      {
        points: move.points,
        reversesRedemption: move.reverses?.type === "redeem",
        movedForMember: moved.forMember,
        movedByStaff: moved.byStaff,
      },
      limits,
    );
    if (need) throw approvalRequired(need);
  };
}

/**
 * The guard of an approval: the approver is not linked to the member, and the ledger is about to
 * post exactly the request (same member, points, reference) — a reversal whose amount changed since
 * (a refund meanwhile) fails instead of posting something nobody approved.
 */
export function approvalGuard(request: AdjustmentRequest, approver: Actor): LedgerGuard {
  return async (tx, move) => {
    await refuseOwnMember(tx, approver, move.memberId, "approve");
    const same =
      move.memberId === request.memberId &&
      move.points === request.points &&
      move.referenceType === request.referenceType &&
      move.referenceId === request.referenceId;
    if (!same) {
      throw new LoyaltyError(
        "conflict",
        `Request #${request.id} can no longer post as it was approved: it would now move ${move.points} points, not ${request.points}. Reject it and ask again.`,
        { details: { requested: request.points, now: move.points } },
      );
    }
  };
}
