import { createHash } from "node:crypto";
import { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import { env } from "@/lib/env";

/** A budget: `points` uses per `durationSeconds` window, per key (an API key, an address, a user). */
export interface RatePolicy {
  /** Names the counters (part of their Redis key): one name per budget. */
  name: string;
  points: number;
  durationSeconds: number;
}

export type RateVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

const ALLOWED: RateVerdict = { allowed: true };

/**
 * Rate limits through rate-limiter-flexible: on Redis when REDIS_URL is set, so every app instance
 * shares one count, in this process's memory otherwise. Redis failing or slow never fails a request:
 * each Redis limiter is insured by a memory limiter of the same budget, which counts instead while
 * Redis is unreachable (rejectIfRedisNotReady, a 100 ms command timeout). A key over its budget is
 * then blocked in memory for the rest of the window (inMemoryBlockOnConsumed), so a flood is
 * refused here without a Redis round trip per request.
 */
export class RateLimits {
  private readonly limiters = new Map<string, RateLimiterAbstract>();
  private readonly reserves = new Map<string, Reserve>();

  constructor(private readonly store: { kind: "memory" } | { kind: "redis"; client: Redis; prefix: string }) {}

  get kind(): "memory" | "redis" {
    return this.store.kind;
  }

  private limiter(policy: RatePolicy): RateLimiterAbstract {
    const id = `${policy.name}:${policy.points}:${policy.durationSeconds}`;
    let limiter = this.limiters.get(id);
    if (!limiter) {
      const options = { keyPrefix: `${policy.name}:${policy.points}`, points: policy.points, duration: policy.durationSeconds };
      const memory = new RateLimiterMemory(options);
      limiter =
        this.store.kind === "memory"
          ? memory
          : new RateLimiterRedis({
              ...options,
              keyPrefix: `${this.store.prefix}${options.keyPrefix}`,
              storeClient: this.store.client,
              useRedisPackage: false,
              rejectIfRedisNotReady: true,
              insuranceLimiter: memory,
              // Without a block duration the block lasts exactly to the window's end.
              inMemoryBlockOnConsumed: policy.points + 1,
            });
      this.limiters.set(id, limiter);
    }
    return limiter;
  }

  /** Spends one point of `key`'s budget; refused (with the wait) once the window's points are spent. */
  async consume(policy: RatePolicy, key: string): Promise<RateVerdict> {
    try {
      await this.limiter(policy).consume(key);
      return ALLOWED;
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
      }
      // Both Redis and the insurance failed: an error in the limiter is no reason to refuse service.
      return ALLOWED;
    }
  }

  /**
   * One point of a high-rate budget, memory first: on Redis, this process reserves a slice of the
   * window's budget at once (`reservationSize`, 50 points of 1,000/s) and spends it locally, so a
   * key's requests cost one Redis round trip per slice instead of one each. Concurrent requests
   * wait for one reservation rather than each taking a slice. The total served per window never
   * exceeds the budget; what is lost is the unspent rest of each process's last slice (under 5% of
   * the budget per process), so a key may be refused slightly before its limit.
   */
  async consumeReserved(policy: RatePolicy, key: string): Promise<RateVerdict> {
    const slice = reservationSize(policy.points);
    if (this.store.kind === "memory" || slice === 1) return this.consume(policy, key);
    const id = `${policy.name}:${policy.points}:${policy.durationSeconds}:${key}`;
    for (let attempt = 0; attempt < 100; attempt++) {
      const now = Date.now();
      let reserve = this.reserves.get(id);
      if (reserve && reserve.until <= now && !reserve.pending) reserve = undefined;
      if (reserve && reserve.tokens > 0) {
        reserve.tokens--;
        return ALLOWED;
      }
      if (reserve?.refusedUntil && reserve.refusedUntil > now) {
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((reserve.refusedUntil - now) / 1000)) };
      }
      if (reserve?.pending) {
        await reserve.pending;
        continue;
      }
      const entry: Reserve = { tokens: 0, until: now };
      this.reserves.set(id, entry);
      if (this.reserves.size > 10_000) this.sweep(now);
      entry.pending = this.reserve(policy, key, slice, entry).finally(() => {
        entry.pending = undefined;
      });
      await entry.pending;
    }
    return this.consume(policy, key);
  }

  private async reserve(policy: RatePolicy, key: string, slice: number, entry: Reserve): Promise<void> {
    try {
      const res = await this.limiter(policy).consume(key, slice);
      entry.tokens = slice;
      entry.until = Date.now() + res.msBeforeNext;
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) {
        entry.tokens = 1; // the limiter failed: serve (see consume)
        entry.until = Date.now() + 1_000;
        return;
      }
      // The slice was counted whole; the part that still fitted under the budget is ours to spend.
      // A key blocked in memory answers without counting (consumedPoints 0): nothing fitted.
      const before = rejection.consumedPoints - slice;
      const fitted = rejection.consumedPoints > 0 ? Math.min(slice, Math.max(0, policy.points - before)) : 0;
      entry.tokens = fitted;
      entry.until = Date.now() + rejection.msBeforeNext;
      if (fitted === 0) entry.refusedUntil = entry.until;
    }
  }

  private sweep(now: number): void {
    for (const [id, reserve] of this.reserves) if (reserve.until <= now && !reserve.pending) this.reserves.delete(id);
  }

  /** Resolves once Redis is connected (true) or after timeoutMs (false); until then the memory insurance counts. */
  async whenReady(timeoutMs = 1_000): Promise<boolean> {
    if (this.store.kind === "memory") return true;
    const client = this.store.client;
    if (client.status === "ready") return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        client.off("ready", onReady);
        resolve(false);
      }, timeoutMs);
      const onReady = () => {
        clearTimeout(timer);
        resolve(true);
      };
      client.once("ready", onReady);
    });
  }

  async close(): Promise<void> {
    if (this.store.kind === "redis") this.store.client.disconnect();
  }
}

interface Reserve {
  tokens: number;
  /** The end of the Redis window the tokens belong to. */
  until: number;
  refusedUntil?: number;
  pending?: Promise<void>;
}

/** The slice of a budget one reservation takes: a twentieth, between 1 and 100 points. */
export function reservationSize(points: number): number {
  return Math.max(1, Math.min(100, Math.floor(points / 20)));
}

/** One prefix per database sharing a Redis (test databases, staging and production), as the cache does. */
export function rateLimitPrefix(database: string): string {
  let identity = database;
  try {
    const url = new URL(database);
    if (url.protocol.startsWith("postgres")) identity = `${url.hostname}:${url.port || "5432"}${url.pathname}`;
  } catch {
    // An embedded database's folder: the text is the identity.
  }
  return `loyalty:rl:${createHash("sha256").update(identity).digest("hex").slice(0, 12)}:`;
}

export function redisRateLimits(url: string, prefix: string): RateLimits {
  const client = new Redis(url, {
    commandTimeout: 100,
    connectTimeout: 500,
    disconnectTimeout: 200,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(250 * attempt, 2_000),
  });
  // Being down is an expected state here (the memory insurance counts meanwhile).
  client.on("error", () => {});
  return new RateLimits({ kind: "redis", client, prefix });
}

const globalForLimits = globalThis as unknown as { __loyaltyRateLimits?: RateLimits };

export function rateLimits(): RateLimits {
  if (!globalForLimits.__loyaltyRateLimits) {
    const { REDIS_URL, DATABASE_URL, PGLITE_DIR } = env();
    globalForLimits.__loyaltyRateLimits = REDIS_URL
      ? redisRateLimits(REDIS_URL, rateLimitPrefix(DATABASE_URL ?? `pglite:${PGLITE_DIR}`))
      : new RateLimits({ kind: "memory" });
  }
  return globalForLimits.__loyaltyRateLimits;
}

/** Tests choose the store; the previous one is returned so it can be closed. */
export function setRateLimits(limits: RateLimits | undefined): RateLimits | undefined {
  const previous = globalForLimits.__loyaltyRateLimits;
  globalForLimits.__loyaltyRateLimits = limits;
  return previous;
}
