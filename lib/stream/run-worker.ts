import type { Logger } from "pino";
import { startCacheInvalidation } from "@/lib/cache/invalidation";
import type { StreamConsumer } from "./consumer";
import type { Lease } from "./lease";

/** One shard this worker may apply: its consumer (on a Redis connection of its own) and its lease. */
export interface ShardWork {
  shard: number;
  consumer: StreamConsumer;
  lease: Lease;
}

export interface RunOptions {
  signal: AbortSignal;
  log: Logger;
  /** Longest wait for new entries per read (bounded by what is left of the lease). */
  blockMs?: number;
}

/**
 * Drives the worker's shards side by side until the signal aborts. Cache invalidation is
 * subscribed before the first batch: a worker only writes, and without it the web's cached
 * balances would stay stale for their whole TTL after each of its commits.
 */
export async function runWorker(shards: readonly ShardWork[], options: RunOptions): Promise<void> {
  await startCacheInvalidation();
  await Promise.all(shards.map((work) => runShard(work, options)));
}

/**
 * One shard: applied only while this worker holds its lease, one batch at a time, so a member's
 * events are applied in stream order. Without the lease it stands by and retries every ttl/3;
 * on gaining it, it first takes over every entry pending in the group (what a dead or stalled
 * owner read but never acknowledged) and replays those before reading new ones. A lost lease is
 * noticed before the next batch. Failures back off (up to 5 s) so an outage neither spins the CPU
 * nor loses an event; on a clean stop the lease is released so a standby takes over at once.
 */
export async function runShard(work: ShardWork, options: RunOptions): Promise<void> {
  const { consumer, lease } = work;
  const { signal } = options;
  const log = options.log.child({ shard: work.shard });
  let owning = false;
  let standingBy = false;
  let failures = 0;
  while (!signal.aborted) {
    try {
      if (owning && lease.remainingMs() < 1) {
        owning = false;
        log.warn("lease lost: stopped reading the shard");
      }
      if (!owning) {
        if (!(await lease.acquire())) {
          if (!standingBy) log.info("shard leased by another worker: standing by");
          standingBy = true;
          await sleep(lease.ttlMs / 3, signal);
          continue;
        }
        standingBy = false;
        await consumer.ensureGroup();
        const claimed = await consumer.takeOver();
        owning = true;
        log.info({ claimed }, "lease taken: replaying the shard's pending entries first");
      }
      const blockMs = Math.floor(Math.min(options.blockMs ?? 1_000, lease.remainingMs()));
      if (blockMs < 1) continue;
      const outcome = await consumer.runOnce(blockMs);
      if (outcome.read > 0) log.debug(outcome, "batch");
      if (outcome.retried > 0) {
        failures++;
        log.warn(outcome, "events left pending for a retry");
        await sleep(backoff(failures), signal);
      } else {
        failures = 0;
      }
    } catch (error) {
      failures++;
      log.error({ err: error, failures }, "batch failed; its entries stay pending and are replayed");
      await sleep(backoff(failures), signal);
    }
  }
  await lease.release().catch((error: unknown) => log.warn({ err: error }, "lease not released; it expires on its own"));
}

function backoff(failures: number): number {
  return Math.min(100 * 2 ** Math.min(failures, 6), 5_000);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
