import { createHash } from "node:crypto";
import { env } from "@/lib/env";
import { decode, encode } from "./codec";
import { MemoryStore } from "./memory-store";
import { RedisStore } from "./redis-store";
import type { CacheStore } from "./store";

/**
 * Read-through cache with generation counters. A cached entry's key embeds the current generation
 * of everything it depends on (e.g. one member); invalidating bumps the generation, so a reader
 * that loaded old data just before a commit writes it under a key nobody reads any more. That
 * closes the read-load-commit-invalidate-write race without a lock.
 */

/** Longer than any entry's TTL: when a generation counter expires, no entry made under it survives. */
const GENERATION_TTL_MS = 60 * 60 * 1000;

const globalForCache = globalThis as unknown as { __loyaltyCache?: CacheStore };

export function getCacheStore(): CacheStore {
  if (!globalForCache.__loyaltyCache) {
    const { REDIS_URL, DATABASE_URL, PGLITE_DIR } = env();
    globalForCache.__loyaltyCache = REDIS_URL
      ? new RedisStore(REDIS_URL, { keyPrefix: cacheKeyPrefix(DATABASE_URL ?? `pglite:${PGLITE_DIR}`) })
      : new MemoryStore();
  }
  return globalForCache.__loyaltyCache;
}

/**
 * Redis key prefix of one database. Member ids repeat across databases, so two databases sharing a
 * Redis (staging and production, test and benchmark databases) must never read each other's
 * entries. Host, port and database name only: a password change does not empty the cache.
 */
export function cacheKeyPrefix(database: string): string {
  let identity = database;
  try {
    const url = new URL(database);
    if (url.protocol.startsWith("postgres")) identity = `${url.hostname}:${url.port || "5432"}${url.pathname}`;
  } catch {
    // Not a URL (an embedded database's folder): the text itself is the identity.
  }
  return `loyalty:cache:${createHash("sha256").update(identity).digest("hex").slice(0, 12)}:`;
}

/** Tests and scripts choose the store; the previous one is returned so it can be closed. */
export function setCacheStore(store: CacheStore | undefined): CacheStore | undefined {
  const previous = globalForCache.__loyaltyCache;
  globalForCache.__loyaltyCache = store;
  return previous;
}

export interface ReadThroughOptions<T> {
  key: string;
  ttlMs: number;
  /** Generation counters the value depends on; bumping any of them invalidates it. */
  dependsOn?: readonly string[];
  load: () => Promise<T>;
  /** Whether a loaded value may be stored (e.g. not an empty result that may appear soon). */
  shouldStore?: (value: T) => boolean;
}

export async function readThrough<T>(options: ReadThroughOptions<T>, store = getCacheStore()): Promise<T> {
  const dependsOn = options.dependsOn ?? [];
  const generations = dependsOn.length > 0 ? await store.getMany(dependsOn.map(generationKey)) : [];
  const key = generations.length > 0 ? `${options.key}@${generations.map((g) => g ?? "0").join(".")}` : options.key;

  const hit = await store.get(key);
  if (hit !== undefined) {
    try {
      return decode<T>(hit);
    } catch {
      // A corrupt entry is a miss.
    }
  }
  const value = await options.load();
  if (options.shouldStore?.(value) ?? true) await store.set(key, encode(value), options.ttlMs);
  return value;
}

/** Invalidates every entry that depends on one of these generation names. */
export async function bumpGenerations(names: readonly string[], store = getCacheStore()): Promise<void> {
  if (names.length === 0) return;
  await store.incr(names.map(generationKey), GENERATION_TTL_MS);
}

function generationKey(name: string): string {
  return `gen:${name}`;
}
