import type { Campaign } from "@/db/schema";

export type CampaignStatus = "scheduled" | "active" | "paused" | "ended" | "archived";

/** Where a campaign stands at `now`; paused and archived campaigns never apply to an event. */
export function campaignStatus(campaign: Pick<Campaign, "startsAt" | "endsAt" | "pausedAt" | "archivedAt">, now: Date): CampaignStatus {
  if (campaign.archivedAt) return "archived";
  if (now.getTime() >= campaign.endsAt.getTime()) return "ended";
  if (campaign.pausedAt) return "paused";
  if (now.getTime() < campaign.startsAt.getTime()) return "scheduled";
  return "active";
}

/** Whether the campaign's terms (multiplier, window, audience) may still change: only before it starts. */
export function isEditable(campaign: Pick<Campaign, "startsAt" | "archivedAt">, now: Date): boolean {
  return !campaign.archivedAt && now.getTime() < campaign.startsAt.getTime();
}
