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

/**
 * What a refund or reversal of a purchase changes in the live tier spend. A purchase counts net of
 * what its refunds and reversal removed, never below 0, and only while the purchase itself is in the
 * window: only spend that is in the window can leave it. `removedBefore` and `removedNow` are the
 * cents removed from the purchase before and by this row.
 */
export function purchaseSpendChange(input: {
  purchaseCents: number;
  purchaseOccurredAt: Date;
  removedBefore: number;
  removedNow: number;
  windowStart: Date;
}): number {
  if (input.purchaseOccurredAt.getTime() <= input.windowStart.getTime()) return 0;
  const netBefore = Math.max(0, input.purchaseCents - input.removedBefore);
  const netAfter = Math.max(0, input.purchaseCents - input.removedBefore - input.removedNow);
  return netAfter - netBefore;
}
