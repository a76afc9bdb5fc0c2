import type { Logger } from "pino";
import { startCacheInvalidation } from "@/lib/cache/invalidation";
import type { StreamConsumer } from "./consumer";

/**
 * Drives a consumer until the signal aborts: one batch after another, backing off (up to 5 s)
 * while the database or Redis fails, so an outage neither spins the CPU nor loses an event.
 * Cache invalidation is subscribed before the first batch: a worker only writes, and without it
 * the web's cached balances would stay stale for their whole TTL after each of its commits.
 */
export async function runWorker(consumer: StreamConsumer, options: { signal: AbortSignal; log: Logger }): Promise<void> {
  const { signal, log } = options;
  await startCacheInvalidation();
  await consumer.ensureGroup();
  let failures = 0;
  while (!signal.aborted) {
    try {
      const outcome = await consumer.runOnce();
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
