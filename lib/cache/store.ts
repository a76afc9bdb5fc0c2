/**
 * A key-value store with per-entry TTL. Implementations never throw: a store that cannot answer
 * behaves like an empty one, so callers always fall through to the database.
 */
export interface CacheStore {
  readonly kind: "redis" | "memory";
  get(key: string): Promise<string | undefined>;
  /** Several keys in one round trip; a missing key yields undefined at its position. */
  getMany(keys: readonly string[]): Promise<(string | undefined)[]>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Increments a counter (creating it at 1) and keeps it for ttlMs; undefined when unavailable. */
  incr(keys: readonly string[], ttlMs: number): Promise<void>;
  close(): Promise<void>;
}
