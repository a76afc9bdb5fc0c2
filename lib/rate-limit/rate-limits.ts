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

  constructor(
    private readonly store: { kind: "memory" } | { kind: "redis"; client: Redis; prefix: string },
  ) {}

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
              inMemoryBlockOnConsumed: policy.points + 1,
              inMemoryBlockDuration: policy.durationSeconds,
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
