import { Redis } from "ioredis";
import type { CacheStore } from "./store";

/**
 * INCR and PEXPIRE of every key in one script: one command however many members a batch touched.
 * A MULTI of 2 commands per key cost the stream worker a command object and a timeout timer each,
 * a tenth of its CPU in garbage collection at 500-event batches.
 */
const INCR_ALL = `for _, key in ipairs(KEYS) do redis.call('INCR', key); redis.call('PEXPIRE', key, ARGV[1]) end`;

type ScriptedRedis = Redis & { incrAll(keyCount: number, ...args: (string | number)[]): Promise<null> };

export interface RedisStoreOptions {
  /** A command slower than this counts as a miss; the caller reads the database instead. */
  commandTimeoutMs?: number;
  keyPrefix?: string;
}

/**
 * Redis-backed cache that fails open: while Redis is down or slow every read is a miss and every
 * write is dropped, so the app keeps serving from the database. Commands are never queued while
 * disconnected (a queue would turn an outage into latency).
 */
export class RedisStore implements CacheStore {
  readonly kind = "redis" as const;
  readonly client: ScriptedRedis;

  constructor(url: string, options: RedisStoreOptions = {}) {
    const client = new Redis(url, {
      keyPrefix: options.keyPrefix ?? "loyalty:cache:",
      commandTimeout: options.commandTimeoutMs ?? 100,
      connectTimeout: 500,
      // close() while between reconnects otherwise arms a 2 s timer that holds a script's exit.
      disconnectTimeout: 200,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      lazyConnect: false,
      // Keep trying in the background, never faster than every 250 ms nor slower than every 2 s.
      retryStrategy: (attempt) => Math.min(250 * attempt, 2_000),
    });
    // Without a listener ioredis logs every failed reconnect; being down is an expected state here.
    client.on("error", () => {});
    // EVALSHA, falling back to EVAL once per connection; the key prefix applies to KEYS.
    client.defineCommand("incrAll", { lua: INCR_ALL });
    this.client = client as ScriptedRedis;
  }

  async get(key: string): Promise<string | undefined> {
    return this.attempt(async () => (await this.client.get(key)) ?? undefined, undefined);
  }

  async getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    if (keys.length === 0) return [];
    const misses = keys.map(() => undefined);
    return this.attempt(async () => (await this.client.mget(...keys)).map((v) => v ?? undefined), misses);
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.attempt(() => this.client.set(key, value, "PX", Math.max(1, Math.round(ttlMs))), undefined);
  }

  async incr(keys: readonly string[], ttlMs: number): Promise<void> {
    if (keys.length === 0) return;
    await this.attempt(() => this.client.incrAll(keys.length, ...keys, Math.max(1, Math.round(ttlMs))), undefined);
  }

  /** Resolves once connected (true) or after timeoutMs (false); the store works either way. */
  async whenReady(timeoutMs = 1_000): Promise<boolean> {
    if (this.client.status === "ready") return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.client.off("ready", onReady);
        resolve(false);
      }, timeoutMs);
      const onReady = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.client.once("ready", onReady);
    });
  }

  async close(): Promise<void> {
    this.client.disconnect();
  }

  private async attempt<T>(command: () => Promise<T>, fallback: T): Promise<T> {
    if (this.client.status !== "ready") return fallback;
    try {
      return await command();
    } catch {
      return fallback;
    }
  }
}
