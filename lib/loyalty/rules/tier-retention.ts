/**
 * Tier retention (docs/ledger.md, "Tier retention and benefits"): what one review of the tier job
 * decides for one member. Tiers are named by rank (0 = lowest) so the rule needs no tier table.
 *
 * Invariants the property tests hold it to:
 * - moving up is immediate: a member whose spend earns a higher tier gets it at this review;
 * - a member never drops before their grace has ended (`now < graceEndsAt` keeps the tier);
 * - a review drops a member at most one step, and never below the tier their spend earns.
 */

export const DAY_MS = 86_400_000;

export interface TierReviewInput {
  /** Rank of the tier the member holds. */
  rank: number;
  /** Rank of the tier the spend in the window earns at `now`. */
  earnedRank: number;
  /** When the running grace ends (epoch ms); null when the member is not in grace. */
  graceEndsAt: number | null;
  /** The review's instant (epoch ms). */
  now: number;
  /** The programme's grace, in days (0 = none). */
  graceDays: number;
}

export interface TierReviewDecision {
  rank: number;
  graceEndsAt: number | null;
}

export function reviewTier(input: TierReviewInput): TierReviewDecision {
  const { rank, earnedRank, now } = input;
  // At or above the tier's threshold: take the earned tier at once (any steps up); no grace.
  if (earnedRank >= rank) return { rank: earnedRank, graceEndsAt: null };
  // Below: the first review that finds it starts the grace; its end is fixed from then on.
  const graceEndsAt = input.graceEndsAt ?? now + input.graceDays * DAY_MS;
  // Grace over (the instant itself included): one step down; a new grace for the lower tier starts
  // at the next review that still finds the member below it.
  if (now >= graceEndsAt) return { rank: rank - 1, graceEndsAt: null };
  return { rank, graceEndsAt };
}

/**
 * What a member in grace must still spend, by the grace's end, to keep the tier: the tier's
 * threshold less the spend that will still be in the window at that instant (never below 0).
 */
export function spendToKeep(threshold: number, spendInWindowAtGraceEnd: number): number {
  return Math.max(0, threshold - spendInWindowAtGraceEnd);
}
