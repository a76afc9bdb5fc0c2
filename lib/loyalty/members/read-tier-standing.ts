import type { Executor } from "@/db/client";
import { windowSpendOf } from "@/db/queries/tier-spend";
import type { Tier, TierCode } from "@/db/schema";
import { spendToKeep } from "../rules/tier-retention";
import { getProgramSettings, getTiers } from "../program/get-program-settings";
import { tierWindowStart } from "../rules/tier-thresholds";

/** What the member summary and the portal say about keeping and reaching tiers (docs/ledger.md, Tier retention and benefits). */
export interface TierStanding {
  tierRetention: {
    /** End of the running grace: the tier is kept until then. null when not in grace (the threshold is met). */
    retainUntil: Date | null;
    /** In grace: spend still needed before retainUntil to keep the tier (minor units); 0 otherwise. */
    spendNeeded: number;
    /** The tier above; null at the top. */
    nextTier: TierCode | null;
    /** Spend still needed in the window to reach nextTier (minor units); 0 at the top. */
    spendToNextTier: number;
  };
  /** The tier's earn multiplier on purchases (the tier bonus; 1 = none). */
  tierEarnMultiplier: number;
  tierBenefits: string[];
}

export interface TierStandingInput {
  memberId: number;
  tier: TierCode;
  tierGraceEndsAt: Date | null;
}

/**
 * The member's tier standing, given the live tier spend (`tierSpend12m`, read alongside by the
 * caller): one read of tiers and settings, and, only while the member is in grace, the spend that
 * will still be in the window at the grace's end (one indexed read). So a caller can run it
 * together with its other reads.
 */
export async function readTierStanding(
  ex: Executor,
  member: TierStandingInput,
  preloaded: { tiers?: readonly Tier[]; qualificationMonths?: number } = {},
): Promise<(tierSpend12m: number) => TierStanding> {
  const [tierRows, qualificationMonths] = await Promise.all([
    preloaded.tiers ?? getTiers(ex),
    preloaded.qualificationMonths ?? getProgramSettings(ex).then((s) => s.tierQualificationMonths),
  ]);
  const byRank = [...tierRows].sort((a, b) => a.rank - b.rank);
  const index = Math.max(
    0,
    byRank.findIndex((t) => t.code === member.tier),
  );
  const current = byRank[index]!;
  const next = byRank[index + 1] ?? null;
  let spendNeeded = 0;
  const retainUntil = member.tierGraceEndsAt;
  if (retainUntil !== null) {
    const atGraceEnd = await windowSpendOf(ex, [member.memberId], tierWindowStart(retainUntil, qualificationMonths));
    spendNeeded = spendToKeep(current.minSpend12m, atGraceEnd.get(member.memberId) ?? 0);
  }
  return (tierSpend12m) => ({
    tierRetention: {
      retainUntil,
      spendNeeded,
      nextTier: next?.code ?? null,
      spendToNextTier: next ? Math.max(0, next.minSpend12m - tierSpend12m) : 0,
    },
    tierEarnMultiplier: Number(current.earnMultiplier),
    tierBenefits: [...(current.benefits ?? [])],
  });
}
