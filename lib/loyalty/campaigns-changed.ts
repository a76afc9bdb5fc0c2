/**
 * Called after every committed campaign write so that new events see the change at once instead
 * of after the active-campaigns cache TTL.
 * WIRE: lib/cache's invalidateActiveCampaigns() (scale engineer) once it lands.
 */
export async function afterCampaignsChanged(): Promise<void> {
  // Intentionally empty until the campaigns cache exists: without a cache there is nothing stale.
}
