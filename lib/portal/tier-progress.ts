import type { TierCode } from "@/db/schema";

export interface TierInfo {
  code: TierCode;
  name: string;
  rank: number;
  minSpend12m: number;
}

export interface TierProgress {
  current: TierInfo;
  next: TierInfo | null;
  /** Spend (minor units) still needed in the rolling 12 months to reach the next tier; 0 at the top. */
  spendNeeded: number;
  /** 0–100, integer: how far the member is from the current threshold to the next. */
  percent: number;
}

/** Progress from the member's tier to the next one up. Integer arithmetic only. */
export function tierProgress(tier: TierCode, spend12m: number, tiers: readonly TierInfo[]): TierProgress {
  const byRank = [...tiers].sort((a, b) => a.rank - b.rank);
  const current = byRank.find((t) => t.code === tier) ?? byRank[0];
  if (!current) throw new Error("No tiers are configured");
  const next = byRank.find((t) => t.rank > current.rank) ?? null;
  if (!next) return { current, next: null, spendNeeded: 0, percent: 100 };
  const spendNeeded = Math.max(0, next.minSpend12m - spend12m);
  const span = next.minSpend12m - current.minSpend12m;
  const done = Math.min(Math.max(spend12m - current.minSpend12m, 0), span);
  const percent = span > 0 ? Math.floor((done * 100) / span) : 100;
  return { current, next, spendNeeded, percent };
}
