import { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from "rate-limiter-flexible";
import { env } from "@/lib/env";

/** Failed sign-ins allowed before the key is blocked, per window. */
export const ACCOUNT_FAILURES = 5;
export const IP_FAILURES = 30;
const ACCOUNT_WINDOW_S = 15 * 60;
const IP_WINDOW_S = 60 * 60;

export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Slows down password guessing: one budget per account (stops a spread-out attack on one victim)
 * and one per client address (stops one client trying many accounts). Only failures count, and a
 * successful sign-in clears the account's budget.
 */
export class SignInThrottle {
  constructor(
    private readonly byAccount: RateLimiterAbstract,
    private readonly byIp: RateLimiterAbstract,
  ) {}

  async check(ip: string, email: string): Promise<ThrottleVerdict> {
    const [account, address] = await Promise.all([this.byAccount.get(accountKey(email)), this.byIp.get(ip)]);
    const waits = [
      account && account.consumedPoints >= ACCOUNT_FAILURES ? account.msBeforeNext : 0,
      address && address.consumedPoints >= IP_FAILURES ? address.msBeforeNext : 0,
    ];
    const wait = Math.max(...waits);
    return wait > 0 ? { allowed: false, retryAfterSeconds: Math.ceil(wait / 1000) } : { allowed: true };
  }

  async recordFailure(ip: string, email: string): Promise<void> {
    // consume() rejects once the budget is spent; the rejection is the expected "now blocked" outcome.
    await Promise.allSettled([this.byAccount.consume(accountKey(email)), this.byIp.consume(ip)]);
  }

  async recordSuccess(email: string): Promise<void> {
    await this.byAccount.delete(accountKey(email));
  }
}

function accountKey(email: string): string {
  return email.trim().toLowerCase();
}

function memoryLimiters() {
  return {
    account: new RateLimiterMemory({ keyPrefix: "signin_acct", points: ACCOUNT_FAILURES, duration: ACCOUNT_WINDOW_S }),
    ip: new RateLimiterMemory({ keyPrefix: "signin_ip", points: IP_FAILURES, duration: IP_WINDOW_S }),
  };
}

export function memoryThrottle(): SignInThrottle {
  const { account, ip } = memoryLimiters();
  return new SignInThrottle(account, ip);
}

/** Redis keeps the counts shared by every app instance; memory stands in if Redis is unreachable. */
export function redisThrottle(redis: Redis, prefix = "signin"): SignInThrottle {
  const fallback = memoryLimiters();
  const common = { storeClient: redis, useRedisPackage: false };
  return new SignInThrottle(
    new RateLimiterRedis({
      ...common,
      keyPrefix: `${prefix}_acct`,
      points: ACCOUNT_FAILURES,
      duration: ACCOUNT_WINDOW_S,
      insuranceLimiter: fallback.account,
    }),
    new RateLimiterRedis({
      ...common,
      keyPrefix: `${prefix}_ip`,
      points: IP_FAILURES,
      duration: IP_WINDOW_S,
      insuranceLimiter: fallback.ip,
    }),
  );
}

const globalForThrottle = globalThis as unknown as { __signInThrottle?: SignInThrottle };

export function signInThrottle(): SignInThrottle {
  if (!globalForThrottle.__signInThrottle) {
    const url = env().REDIS_URL;
    globalForThrottle.__signInThrottle = url
      ? redisThrottle(new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false }))
      : memoryThrottle();
  }
  return globalForThrottle.__signInThrottle;
}
