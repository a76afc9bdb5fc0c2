import type { Executor } from "@/db/client";
import { getMemberByExternalId, getMemberById } from "@/db/queries/members";
import { LoyaltyError } from "@/lib/loyalty/errors";
import { summaryOfMember, type MemberSummary } from "@/lib/loyalty/members/ensure-member";
import { getCacheStore, readThrough } from "./cache";
import { memberGeneration, subscribeCacheInvalidation } from "./invalidation";
import { MemoryStore } from "./memory-store";
import type { CacheStore } from "./store";

const TTL_MS = 30 * 1000;

// externalId → member id, kept in this process's memory so that a cache hit costs two Redis reads
// (generation, entry) and no database round trip. Only a hint: an erasure gives the member the
// tombstone erased:<id> and frees the old external id for a new member (docs/privacy.md), so the
// summary it leads to, loaded by member id, is checked to carry that external id still. The
// erasure bumps the member's generation like any write of it (in Redis for every process), so the
// entry read after it is loaded after it, names the tombstone, and the memo is dropped. One memo per
// store: whoever points the app at another database (tests, scripts) sets a new store with it, and
// must not inherit the ids of the previous one.
const globalForIds = globalThis as unknown as { __loyaltyMemberIds?: WeakMap<CacheStore, MemoryStore> };
const memberIdsByStore = (globalForIds.__loyaltyMemberIds ??= new WeakMap());
const MEMO_TTL_MS = 24 * 60 * 60 * 1000;

function memberIdMemo(): MemoryStore {
  const store = getCacheStore();
  let ids = memberIdsByStore.get(store);
  if (!ids) memberIdsByStore.set(store, (ids = new MemoryStore(100_000)));
  return ids;
}

/** The member's summary by id, cached under its generation; null when there is no such member. */
function summaryById(ex: Executor, memberId: number, now: Date): Promise<MemberSummary | null> {
  return readThrough({
    key: `ms:${memberId}`,
    ttlMs: TTL_MS,
    dependsOn: [memberGeneration(memberId)],
    load: async () => {
      const member = await getMemberById(ex, memberId);
      return member ? summaryOfMember(ex, member, now) : null;
    },
    shouldStore: (value) => value !== null,
  });
}

/**
 * `getMemberSummary` (balance, tier, expiring points) cached for 30 s and invalidated when a
 * transaction of the member commits. For display only: redemptions and accruals lock and read the
 * balance row in their own transaction. An unknown member is never cached (it may be created next).
 */
export async function cachedMemberSummary(ex: Executor, externalId: string, now: Date = new Date()): Promise<MemberSummary> {
  subscribeCacheInvalidation();
  const memberIds = memberIdMemo();
  const known = await memberIds.get(externalId);
  if (known !== undefined) {
    const summary = await summaryById(ex, Number(known), now);
    if (summary?.externalId === externalId) return summary;
    // The member was erased (or is gone): the external id may belong to someone else now.
    memberIds.delete(externalId);
  }
  const member = await getMemberByExternalId(ex, externalId);
  if (!member) throw new LoyaltyError("member_not_found", `No member with externalId ${externalId}.`);
  await memberIds.set(externalId, String(member.id), MEMO_TTL_MS);
  const summary = await summaryById(ex, member.id, now);
  // Erased between the two reads: answered as the database answers by external id now.
  if (summary?.externalId !== externalId) {
    memberIds.delete(externalId);
    const again = await getMemberByExternalId(ex, externalId);
    if (!again) throw new LoyaltyError("member_not_found", `No member with externalId ${externalId}.`);
    return summaryOfMember(ex, again, now);
  }
  return summary;
}
