import type { Executor } from "@/db/client";
import { readThrough } from "@/lib/cache/cache";
import { cachedActiveCampaigns } from "@/lib/cache/campaigns-cache";
import { memberGeneration, subscribeCacheInvalidation } from "@/lib/cache/invalidation";
import { assembleDashboard, readCheckIn, readMemberStanding, orderLiveCampaigns, readTiers, type CampaignRow, type Dashboard } from "./dashboard-queries";

const STANDING_TTL_MS = 30 * 1000;

/**
 * `getDashboard` with the member's balance and tier cached as the API's member summary is (30 s,
 * dropped when one of the member's transactions commits) and the live campaigns from the shared
 * 5-minute campaign cache (dropped on every campaign write). Today's check-in is read each time:
 * it is one index lookup and its button must not offer a second check-in. Display only: the
 * redeem and check-in actions decide from the database under their own locks.
 */
export async function getCachedDashboard(ex: Executor, memberId: number, now: Date): Promise<Dashboard | null> {
  subscribeCacheInvalidation();
  const [standing, tierRows, campaignRows, checkIn] = await Promise.all([
    readThrough({
      key: `pd:${memberId}`,
      ttlMs: STANDING_TTL_MS,
      dependsOn: [memberGeneration(memberId)],
      load: () => readMemberStanding(ex, memberId, now),
      // A missing member is never cached, so nothing stale outlives its creation.
      shouldStore: (value) => value !== null,
    }),
    readTiers(ex),
    cachedLiveCampaigns(ex, now),
    readCheckIn(ex, memberId, now),
  ]);
  return standing ? assembleDashboard(standing, tierRows, campaignRows, checkIn) : null;
}

async function cachedLiveCampaigns(ex: Executor, now: Date): Promise<CampaignRow[]> {
  return orderLiveCampaigns(await cachedActiveCampaigns(ex, now));
}
