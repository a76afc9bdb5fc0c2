import type { TierCode } from "@/db/schema";
import { addUtcMonths } from "./expiry";
import { tierForSpend as ledgerTierForSpend } from "./tiers";

/** A tier's threshold: spend in minor units over the rolling 12 months. */
export interface TierThreshold {
  code: TierCode;
  rank: number;
  minSpend12m: number;
}

export const TIER_WINDOW_MONTHS = 12;

/**
 * Start of the rolling spend window: spend counts while `windowStart < occurredAt <= now`.
 * Calendar months in UTC (the ledger's month arithmetic), so a purchase leaves the window about when
 * its points expire.
 */
export function tierWindowStart(now: Date, months = TIER_WINDOW_MONTHS): Date {
  return addUtcMonths(now, -months);
}

/** The ledger's tier rule (highest threshold reached), falling back to the lowest-ranked tier. */
export function tierForSpend(spend: number, thresholds: readonly TierThreshold[]): TierCode {
  if (thresholds.length === 0) throw new Error("No tiers are configured");
  const lowest = thresholds.reduce((a, b) => (b.rank < a.rank ? b : a));
  return ledgerTierForSpend(spend, thresholds) ?? lowest.code;
}

export function tierRank(code: TierCode, thresholds: readonly TierThreshold[]): number {
  const found = thresholds.find((t) => t.code === code);
  if (!found) throw new Error(`Unknown tier ${code}`);
  return found.rank;
}
