import type { Executor } from "@/db/client";
import type { ApiKey } from "@/db/schema";
import { authenticateApiKey, hashApiKey, isApiKeyUsable } from "@/lib/loyalty/access/api-keys";

/**
 * Valid keys are remembered in this process for a few seconds: at hundreds of requests a second
 * from one order service, looking the same key up on every request is a database round trip per
 * event for nothing. The price is that a key revoked by another process (the CLI, another app
 * instance) keeps working here for up to this long; a revocation in this process (the admin page)
 * forgets it at once. Expiry and a scheduled revocation are checked on every hit, so a remembered
 * key never outlives them. Unknown or revoked keys are never remembered, so a key works as soon as
 * it is created.
 */
export const API_KEY_CACHE_TTL_MS = 10_000;
const MAX_ENTRIES = 1_000;

const globalForKeys = globalThis as unknown as { __apiKeyCache?: Map<string, { apiKey: ApiKey; until: number }> };
const cache = (globalForKeys.__apiKeyCache ??= new Map());

export async function authenticateApiKeyCached(db: Executor, presented: string, now: Date): Promise<ApiKey | null> {
  if (presented.length > 200) return null;
  const hash = hashApiKey(presented);
  const hit = cache.get(hash);
  if (hit && hit.until > now.getTime()) return isApiKeyUsable(hit.apiKey, now) ? hit.apiKey : null;
  cache.delete(hash);
  const apiKey = await authenticateApiKey(db, presented, now);
  if (apiKey) {
    if (cache.size >= MAX_ENTRIES) cache.clear();
    cache.set(hash, { apiKey, until: now.getTime() + API_KEY_CACHE_TTL_MS });
  }
  return apiKey;
}

/** After a revocation or rotation in this process: the key is looked up again on its next use. */
export function forgetApiKey(keyHash: string): void {
  cache.delete(keyHash);
}

/** Tests that revoke keys or move the clock forget what this process remembers. */
export function forgetApiKeys(): void {
  cache.clear();
}
