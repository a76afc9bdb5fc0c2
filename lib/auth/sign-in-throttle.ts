import { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import { env } from "@/lib/env";

/**
 * Sign-in budgets. Every attempt is counted before the password is checked (so concurrent guesses
 * cannot slip through together) and handed back when it succeeds.
 *
 * - account_address: the tight one, per (account, client address). It stops one client guessing
 *   one account, and only that client: the owner elsewhere is not affected.
 * - account: wider and slower, per account from all addresses, against a guesser spread over many
 *   addresses. An address that has signed in to the account successfully (in the last 20 days) is
 *   not held by it, so an attacker who spends it cannot lock the owner out of their usual places.
 * - address: per client address over all accounts, against one client trying many accounts.
 */
export const BUDGETS = {
  account_address: { points: 5, durationS: 15 * 60 },
  account: { points: 100, durationS: 24 * 60 * 60 },
  address: { points: 50, durationS: 60 * 60 },
} as const;
export type Budget = keyof typeof BUDGETS;
export type Budgets = Record<Budget, { points: number; durationS: number }>;

/**
 * How long a successful (account, address) pair stays exempt from the account-wide budget. Under
 * 24.8 days: the memory store expires keys with setTimeout, which fires at once past 2^31 ms.
 */
export const KNOWN_ADDRESS_TTL_S = 20 * 24 * 60 * 60;

/** Kept for callers and tests that speak of "failures before the account is held from one address". */
export const ACCOUNT_FAILURES = BUDGETS.account_address.points;
export const IP_FAILURES = BUDGETS.address.points;

export type ThrottleVerdict = { allowed: true; attempt: SignInAttempt } | { allowed: false; budget: Budget; retryAfterSeconds: number };

export interface SignInAttempt {
  /** The password was right: the attempt is handed back, the pair's failures cleared and the address remembered. */
  succeeded(): Promise<void>;
  /** The password was wrong: the attempt stays counted. */
  failed(): Promise<void>;
}

type Limiters = Record<Budget | "known", RateLimiterAbstract>;

export class SignInThrottle {
  constructor(private readonly limiters: Limiters) {}

  /**
   * Takes one attempt from each budget that applies, in order, and stops at the first that is
   * spent (handing back what it took), so refused attempts do not drain the wider budgets.
   */
  async attempt(address: string, email: string): Promise<ThrottleVerdict> {
    const account = accountKey(email);
    const keys: Record<Budget, string> = { account_address: `${account}|${address}`, account, address };
    const known = (await this.limiters.known.get(keys.account_address)) !== null;
    const order: Budget[] = known ? ["account_address", "address"] : ["account_address", "address", "account"];
    const taken: Budget[] = [];
    for (const budget of order) {
      try {
        await this.limiters[budget].consume(keys[budget]);
        taken.push(budget);
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        await Promise.all(taken.map((b) => this.limiters[b].reward(keys[b])));
        return { allowed: false, budget, retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
      }
    }
    return {
      allowed: true,
      attempt: {
        succeeded: async () => {
          await Promise.all([
            this.limiters.account_address.delete(keys.account_address),
            ...taken.filter((b) => b !== "account_address").map((b) => this.limiters[b].reward(keys[b])),
            this.limiters.known.set(keys.account_address, 1, KNOWN_ADDRESS_TTL_S),
          ]);
        },
        failed: async () => {},
      },
    };
  }
}

function accountKey(email: string): string {
  return email.trim().toLowerCase();
}

function memoryLimiters(budgets: Budgets, prefix: string): Limiters {
  const make = (budget: Budget) =>
    new RateLimiterMemory({ keyPrefix: `${prefix}_${budget}`, points: budgets[budget].points, duration: budgets[budget].durationS });
  return {
    account_address: make("account_address"),
    account: make("account"),
    address: make("address"),
    known: new RateLimiterMemory({ keyPrefix: `${prefix}_known`, points: 1, duration: KNOWN_ADDRESS_TTL_S }),
  };
}

export function memoryThrottle(budgets: Budgets = BUDGETS): SignInThrottle {
  return new SignInThrottle(memoryLimiters(budgets, "signin"));
}

/** Redis keeps the counts shared by every app instance; memory stands in if Redis is unreachable. */
export function redisThrottle(redis: Redis, prefix = "signin", budgets: Budgets = BUDGETS): SignInThrottle {
  const fallback = memoryLimiters(budgets, prefix);
  const make = (name: Budget | "known", points: number, duration: number) =>
    new RateLimiterRedis({
      storeClient: redis,
      useRedisPackage: false,
      keyPrefix: `${prefix}_${name}`,
      points,
      duration,
      insuranceLimiter: fallback[name],
    });
  return new SignInThrottle({
    account_address: make("account_address", budgets.account_address.points, budgets.account_address.durationS),
    account: make("account", budgets.account.points, budgets.account.durationS),
    address: make("address", budgets.address.points, budgets.address.durationS),
    known: make("known", 1, KNOWN_ADDRESS_TTL_S),
  });
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
