import type { Executor } from "@/db/client";
import type { ApiKey } from "@/db/schema";
import { authenticateApiKey, hashApiKey } from "@/lib/loyalty/api-keys";

/**
 * Valid keys are remembered in this process for a few seconds: at hundreds of requests a second
 * from one order service, looking the same key up on every request is a database round trip per
 * event for nothing. The price is that a revoked key keeps working here for up to this long.
 * Unknown or revoked keys are never remembered, so a key works as soon as it is created.
 */
export const API_KEY_CACHE_TTL_MS = 10_000;
const MAX_ENTRIES = 1_000;

const globalForKeys = globalThis as unknown as { __apiKeyCache?: Map<string, { apiKey: ApiKey; until: number }> };
const cache = (globalForKeys.__apiKeyCache ??= new Map());

export async function authenticateApiKeyCached(db: Executor, presented: string, now: Date): Promise<ApiKey | null> {
  if (presented.length > 200) return null;
  const hash = hashApiKey(presented);
  const hit = cache.get(hash);
  if (hit && hit.until > now.getTime()) return hit.apiKey;
  cache.delete(hash);
  const apiKey = await authenticateApiKey(db, presented);
  if (apiKey) {
    if (cache.size >= MAX_ENTRIES) cache.clear();
    cache.set(hash, { apiKey, until: now.getTime() + API_KEY_CACHE_TTL_MS });
  }
  return apiKey;
}

/** Tests that revoke keys or move the clock forget what this process remembers. */
export function forgetApiKeys(): void {
  cache.clear();
}
