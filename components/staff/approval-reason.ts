import type { AdjustmentRequest } from "@/db/schema";
import type { ApprovalNeed, ApprovalRule } from "@/lib/loyalty/rules/four-eyes";
import { points } from "./format";

/** Why a request waits for a second person, in the console's words (the rule and the figures it saw). */
export function approvalReason(rule: ApprovalRule | string, need: Partial<ApprovalNeed> | null | undefined): string {
  const moved = (n: number | undefined) => points(n ?? 0);
  switch (rule) {
    case "redemption_reversal":
      return "Reversing a redemption always needs a second person (the reward stays delivered)";
    case "daily_cap":
      return `Over the daily limit of ${moved(need?.dailyCap)} points per staff member across members (${moved(need?.movedByStaff)} moved in the last 24 hours before this ${moved(Math.abs(need?.points ?? 0))})`;
    case "member_threshold":
    default:
      return `Over ${moved(need?.threshold)} points for one member in 24 hours (${moved(need?.movedForMember)} moved before this ${moved(Math.abs(need?.points ?? 0))})`;
  }
}

export function requestApprovalReason(request: Pick<AdjustmentRequest, "approvalRule" | "approvalContext">): string {
  return approvalReason(request.approvalRule, request.approvalContext as Partial<ApprovalNeed> | null);
}

/** "Adjustment" or "Reversal of #id", for a request's line in the console. */
export function requestKind(request: Pick<AdjustmentRequest, "referenceType" | "relatedTransactionId">): string {
  return request.referenceType === "reversal" ? `Reversal of #${request.relatedTransactionId}` : "Adjustment";
}
