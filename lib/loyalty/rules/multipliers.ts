import type { TierCode } from "@/db/schema";
import { toTenThousandths } from "./points";

export type CampaignEventType = "purchase" | "referral" | "review" | "login";

/** The fields of a campaign the earning rule looks at. */
export interface CampaignCandidate {
  id: number;
  multiplier: number;
  startsAt: Date;
  endsAt: Date;
  eventTypes: readonly CampaignEventType[];
  tiers: readonly TierCode[];
  /** Empty or absent: every line. Else only purchase lines of these categories (docs/ledger.md, Earning rules). */
  categories?: readonly string[];
  /** Empty or absent: every channel. Else only events from these channels. */
  channels?: readonly string[];
  pausedAt: Date | null;
  archivedAt: Date | null;
}

/** What a campaign is matched against: the event, and for a purchase line its category. */
export interface CampaignMatch {
  eventType: CampaignEventType;
  tier: TierCode;
  at: Date;
  channel?: string;
  category?: string | null;
}

export function campaignApplies(campaign: CampaignCandidate, match: CampaignMatch): boolean {
  const t = match.at.getTime();
  return (
    campaign.pausedAt === null &&
    campaign.archivedAt === null &&
    campaign.startsAt.getTime() <= t &&
    t < campaign.endsAt.getTime() &&
    (campaign.eventTypes.length === 0 || campaign.eventTypes.includes(match.eventType)) &&
    (campaign.tiers.length === 0 || campaign.tiers.includes(match.tier)) &&
    (!campaign.channels?.length || (match.channel !== undefined && campaign.channels.includes(match.channel))) &&
    (!campaign.categories?.length || (match.category != null && campaign.categories.includes(match.category)))
  );
}

/**
 * The winning campaign for an event: the highest multiplier among the ones that apply; on a tie the
 * oldest campaign (lowest id), so the choice never depends on the order rows came back in.
 */
export function pickCampaign<C extends CampaignCandidate>(campaigns: readonly C[], match: CampaignMatch): C | null {
  let best: C | null = null;
  let bestTt = 0;
  for (const campaign of campaigns) {
    if (!campaignApplies(campaign, match)) continue;
    const tt = toTenThousandths(campaign.multiplier);
    if (best === null || tt > bestTt || (tt === bestTt && campaign.id < best.id)) {
      best = campaign;
      bestTt = tt;
    }
  }
  return best;
}
