import { onMembersChanged } from "@/lib/loyalty/ledger-events";
import { bumpGenerations } from "./cache";

/** Generation name of everything cached about one member (summary, history pages). */
export function memberGeneration(memberId: number): string {
  return `m:${memberId}`;
}

export const CAMPAIGNS_GENERATION = "campaigns";

export async function invalidateMembers(memberIds: readonly number[]): Promise<void> {
  await bumpGenerations([...new Set(memberIds)].map(memberGeneration));
}

/** Staff changed a campaign: every process sees it on its next read instead of after the TTL. */
export async function invalidateActiveCampaigns(): Promise<void> {
  await bumpGenerations([CAMPAIGNS_GENERATION]);
}

const globalForSubscription = globalThis as unknown as { __loyaltyCacheSubscribed?: boolean };

/**
 * Subscribes cache invalidation to the ledger's after-commit notifications, once per process.
 * Every process that writes to the ledger must call it (the worker and the group committer do;
 * the web app does through the cached readers), or Redis entries stay stale until their TTL.
 */
export function subscribeCacheInvalidation(): void {
  if (globalForSubscription.__loyaltyCacheSubscribed) return;
  globalForSubscription.__loyaltyCacheSubscribed = true;
  onMembersChanged((memberIds) => invalidateMembers(memberIds));
}
