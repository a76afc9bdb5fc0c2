/**
 * Retry schedule, pure. After the n-th failed attempt the next one waits 30 s · 2^(n-1), at most
 * 5 h, with ±10 % jitter (so endpoints that failed together do not retry together): 30 s, 1 min,
 * 2 min … 4 h 16 min, then 5 h. After MAX_ATTEMPTS attempts (the last about 23.5 h after the first)
 * the delivery is marked failed; an admin can redeliver it from the console.
 */
export const MAX_ATTEMPTS = 14;
export const BASE_DELAY_MS = 30_000;
export const MAX_DELAY_MS = 5 * 60 * 60 * 1000;

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: MAX_ATTEMPTS, baseDelayMs: BASE_DELAY_MS, maxDelayMs: MAX_DELAY_MS };

/** Milliseconds to wait after `attempts` failed attempts; `random` in [0, 1). Null: give up. */
export function retryDelayMs(attempts: number, random: number, policy: RetryPolicy = DEFAULT_RETRY_POLICY): number | null {
  if (attempts >= policy.maxAttempts) return null;
  const delay = Math.min(policy.baseDelayMs * 2 ** Math.max(0, attempts - 1), policy.maxDelayMs);
  return Math.round(delay * (0.9 + 0.2 * random));
}
