/**
 * After-commit notification of campaign writes. Every committed campaign write calls
 * `afterCampaignsChanged`; listeners (the active-campaigns cache, lib/cache/invalidation.ts) subscribe
 * here so that new events see the change at once instead of after the cache TTL, and the domain
 * knows nothing of them. A failing listener never fails the write that already committed.
 */
type CampaignsChangedListener = () => void | Promise<void>;

const globalForListeners = globalThis as unknown as { __loyaltyCampaignListeners?: Set<CampaignsChangedListener> };
const listeners = (globalForListeners.__loyaltyCampaignListeners ??= new Set());

export function onCampaignsChanged(listener: CampaignsChangedListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export async function afterCampaignsChanged(): Promise<void> {
  await Promise.all(
    [...listeners].map(async (listener) => {
      try {
        await listener();
      } catch {
        // The write is committed; a stale cache entry expires by its TTL.
      }
    }),
  );
}
