import type { Executor } from "@/db/client";
import { getMemberByExternalId } from "@/db/queries/members";
import { getMemberSummary, type MemberSummary } from "@/lib/loyalty/members";
import { getCacheStore, readThrough } from "./cache";
import { memberGeneration, subscribeCacheInvalidation } from "./invalidation";
import { MemoryStore } from "./memory-store";
import type { CacheStore } from "./store";

const TTL_MS = 30 * 1000;

// externalId → member id never changes once assigned, so this process keeps it in memory and a
// cache hit costs two Redis reads (generation, entry) and no database round trip. One memo per
// store: whoever points the app at another database (tests, scripts) sets a new store with it, and
// must not inherit the ids of the previous one.
const globalForIds = globalThis as unknown as { __loyaltyMemberIds?: WeakMap<CacheStore, MemoryStore> };
const memberIdsByStore = (globalForIds.__loyaltyMemberIds ??= new WeakMap());

function memberIdMemo(): MemoryStore {
  const store = getCacheStore();
  let ids = memberIdsByStore.get(store);
  if (!ids) memberIdsByStore.set(store, (ids = new MemoryStore(100_000)));
  return ids;
}

async function memberIdOf(ex: Executor, externalId: string): Promise<number | undefined> {
  const memberIds = memberIdMemo();
  const known = await memberIds.get(externalId);
  if (known !== undefined) return Number(known);
  const member = await getMemberByExternalId(ex, externalId);
  if (!member) return undefined;
  await memberIds.set(externalId, String(member.id), 24 * 60 * 60 * 1000);
  return member.id;
}

/**
 * `getMemberSummary` (balance, tier, expiring points) cached for 30 s and invalidated when a
 * transaction of the member commits. For display only: redemptions and accruals lock and read the
 * balance row in their own transaction. An unknown member is never cached (it may be created next).
 */
export async function cachedMemberSummary(ex: Executor, externalId: string, now: Date = new Date()): Promise<MemberSummary> {
  subscribeCacheInvalidation();
  const memberId = await memberIdOf(ex, externalId);
  if (memberId === undefined) return getMemberSummary(ex, externalId, now);
  return readThrough({
    key: `ms:${memberId}`,
    ttlMs: TTL_MS,
    dependsOn: [memberGeneration(memberId)],
    load: () => getMemberSummary(ex, externalId, now),
  });
}
