/**
 * Four-eyes: which rule, if any, sends a staff member's adjustment or reversal to a second person.
 *
 * The limits apply to sums, not to one move: absolute points this staff member posted on their own
 * authority (adjustments and reversals, approved requests left out) over a rolling 24 hours, this
 * move included. So 100 moves just under the threshold reach the same limit as one large move,
 * for one member (`threshold`) and across all members (`dailyCap`). A reversal of a redemption
 * always needs a second person: it hands points back while the reward stays delivered.
 */
export const APPROVAL_RULES = ["redemption_reversal", "member_threshold", "daily_cap"] as const;
export type ApprovalRule = (typeof APPROVAL_RULES)[number];

export const FOUR_EYES_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface FourEyesLimits {
  /** Per staff member and member, rolling 24 hours (program_settings.adjustment_approval_threshold). */
  threshold: number;
  /** Per staff member across all members, rolling 24 hours (program_settings.staff_daily_points_cap). */
  dailyCap: number;
}

export interface StaffMove {
  /** Signed points of this move. */
  points: number;
  reversesRedemption: boolean;
  /** Absolute points this staff member already moved for this member in the window. */
  movedForMember: number;
  /** Absolute points this staff member already moved for anyone in the window. */
  movedByStaff: number;
}

/** What a request records: the rule and the figures it saw, so the console can say why. */
export interface ApprovalNeed extends FourEyesLimits {
  rule: ApprovalRule;
  points: number;
  movedForMember: number;
  movedByStaff: number;
}

/** Start of the rolling window that ends at `now` (exclusive). */
export function fourEyesWindowStart(now: Date): Date {
  return new Date(now.getTime() - FOUR_EYES_WINDOW_MS);
}

/** null = the move may post on this staff member's own authority. Limits are inclusive: a sum equal to one posts. */
export function approvalNeeded(move: StaffMove, limits: FourEyesLimits): ApprovalNeed | null {
  const size = Math.abs(move.points);
  const seen = { points: move.points, movedForMember: move.movedForMember, movedByStaff: move.movedByStaff, ...limits };
  if (move.reversesRedemption) return { rule: "redemption_reversal", ...seen };
  if (move.movedForMember + size > limits.threshold) return { rule: "member_threshold", ...seen };
  if (move.movedByStaff + size > limits.dailyCap) return { rule: "daily_cap", ...seen };
  return null;
}
