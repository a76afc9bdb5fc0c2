import { invalidateActiveCampaigns } from "@/lib/cache/invalidation";

/**
 * Called after every committed campaign write so that new events see the change at once instead
 * of after the active-campaigns cache TTL. The cache fails open, so this never throws.
 */
export async function afterCampaignsChanged(): Promise<void> {
  await invalidateActiveCampaigns();
}
