import type { Redis } from "ioredis";

// Compare-and-act: a worker whose lease expired and was taken by another must neither extend nor
// delete the new holder's lease, so both check the owner and act in one atomic step.
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export interface Lease {
  readonly ttlMs: number;
  /** Takes the lease when it is free (or still ours) and keeps renewing it every ttl/3. */
  acquire(): Promise<boolean>;
  /** How long this process may still rely on holding the lease: 0 once lost or expired. */
  remainingMs(): number;
  /** Gives the lease up (only if still ours), so a standby takes over at once. */
  release(): Promise<void>;
}

/**
 * A lease in Redis (`SET key owner NX PX ttl`): while a worker holds it, no other worker applies
 * the shard it guards. A worker relies on it for 4/5 of the TTL counted from when it *sent* the
 * renewal, so its reads reach Redis before the key can expire and another worker take it; a
 * renewal that finds another owner (or none) marks it lost at once. A process that dies stops
 * renewing, and a standby takes the lease when it expires.
 */
export function createLease(redis: Redis, options: { key: string; owner: string; ttlMs: number }): Lease {
  const { key, owner, ttlMs } = options;
  let validUntil = 0;
  let timer: NodeJS.Timeout | undefined;
  let renewing = false;

  const compareAndRenew = async () => Number(await redis.eval(RENEW, 1, key, owner, ttlMs)) === 1;

  function stopRenewing(): void {
    clearInterval(timer);
    timer = undefined;
    validUntil = 0;
  }

  async function renew(): Promise<void> {
    if (renewing) return; // a renewal still waiting on Redis: the lease runs out unless it succeeds
    renewing = true;
    const sentAt = Date.now();
    try {
      if (await compareAndRenew()) validUntil = sentAt + (ttlMs * 4) / 5;
      else stopRenewing();
    } catch {
      // Redis unreachable: keep trying; the lease runs out locally at validUntil.
    } finally {
      renewing = false;
    }
  }

  return {
    ttlMs,
    async acquire() {
      const sentAt = Date.now();
      const taken = (await redis.set(key, owner, "PX", ttlMs, "NX")) === "OK" || (await compareAndRenew());
      if (!taken) return false;
      validUntil = sentAt + (ttlMs * 4) / 5;
      timer ??= setInterval(() => void renew(), ttlMs / 3);
      return true;
    },
    remainingMs: () => Math.max(0, validUntil - Date.now()),
    async release() {
      stopRenewing();
      await redis.eval(RELEASE, 1, key, owner);
    },
  };
}
