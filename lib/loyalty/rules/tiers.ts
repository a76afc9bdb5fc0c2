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
