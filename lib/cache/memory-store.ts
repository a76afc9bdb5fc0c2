import type { CacheStore } from "./store";

interface Entry {
  value: string;
  expiresAt: number;
}

/**
 * In-process LRU with TTL, used when REDIS_URL is unset. A Map keeps insertion order, so
 * re-inserting on read moves an entry to the young end and the oldest key is evicted first.
 */
export class MemoryStore implements CacheStore {
  readonly kind = "memory" as const;
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxEntries = 50_000,
    private readonly clock: () => number = Date.now,
  ) {}

  async get(key: string): Promise<string | undefined> {
    return this.read(key);
  }

  async getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    return keys.map((key) => this.read(key));
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.write(key, value, ttlMs);
  }

  /** Forgets a key (this store only: the shared CacheStore never deletes, it bumps generations). */
  delete(key: string): void {
    this.entries.delete(key);
  }

  async incr(keys: readonly string[], ttlMs: number): Promise<void> {
    for (const key of keys) {
      const current = Number(this.read(key) ?? "0");
      this.write(key, String(current + 1), ttlMs);
    }
  }

  async close(): Promise<void> {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private read(key: string): string | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= this.clock()) return undefined;
    this.entries.set(key, entry);
    return entry.value;
  }

  private write(key: string, value: string, ttlMs: number): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.clock() + ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }
}
