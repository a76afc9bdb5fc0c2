import type { TierCode } from "@/db/schema";

export interface TierThresholdRule {
  code: TierCode;
  minSpend12m: number;
}

/** The tier of the highest threshold the spend reaches (ties: the later in the list); null when none does. */
export function tierForSpend(spend12m: number, thresholds: readonly TierThresholdRule[]): TierCode | null {
  let best: TierThresholdRule | null = null;
  for (const threshold of thresholds) {
    if (threshold.minSpend12m <= spend12m && (best === null || threshold.minSpend12m >= best.minSpend12m)) best = threshold;
  }
  return best?.code ?? null;
}

/**
 * What a ledger row adds to the member's live 12-month tier spend: its spend (a refund's or a
 * purchase reversal's is negative) when it occurred inside the window (`windowStart < occurredAt`,
 * as the nightly recalculation counts it), else nothing. The live figure only ever grows by what
 * happens; the nightly job recomputes the exact window, dropping what has left it.
 */
export function tierSpendDelta(spendAmount: number | null | undefined, occurredAt: Date, windowStart: Date): number {
  if (spendAmount === null || spendAmount === undefined) return 0;
  return occurredAt.getTime() > windowStart.getTime() ? spendAmount : 0;
}
