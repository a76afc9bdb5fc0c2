import { onCampaignsChanged } from "@/lib/loyalty/campaigns/campaigns-changed";
import { onMembersChanged } from "@/lib/loyalty/ledger/members-changed";
import { bumpGenerations, getCacheStore } from "./cache";
import { RedisStore } from "./redis-store";

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
 * Subscribes cache invalidation to the ledger's and the campaigns' after-commit notifications, once per process.
 * Every process that writes to the ledger or to campaigns must call it, or Redis entries stay stale
 * until their TTL: the Next.js server at start (instrumentation.ts), the stream worker (runWorker),
 * the CLI's jobs, and, as a fallback, POST /api/v1/events (the group committer) and the cached readers.
 */
export function subscribeCacheInvalidation(): void {
  if (globalForSubscription.__loyaltyCacheSubscribed) return;
  globalForSubscription.__loyaltyCacheSubscribed = true;
  onMembersChanged((memberIds) => invalidateMembers(memberIds));
  onCampaignsChanged(() => invalidateActiveCampaigns());
}

/**
 * For process start (the Next.js server's instrumentation hook, the stream worker): subscribes,
 * and waits up to `timeoutMs` for Redis to connect. A store that is still connecting drops
 * commands, so without the wait the first commits of a fresh process would not invalidate
 * anything. Never fails: with Redis away the process starts anyway and reads the database.
 */
export async function startCacheInvalidation(timeoutMs = 1_000): Promise<void> {
  subscribeCacheInvalidation();
  const store = getCacheStore();
  if (store instanceof RedisStore) await store.whenReady(timeoutMs);
}
