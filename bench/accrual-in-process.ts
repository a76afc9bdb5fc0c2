import { connectPostgres } from "@/db/client";
import { recordEvents } from "@/lib/loyalty/accrual/record-events";
import type { LoyaltyEvent } from "@/lib/loyalty/accrual/event-input";
import type { BenchConfig } from "./config";
import { benchDatabaseUrl } from "./config";
import { percentiles } from "./stats";

/** Purchases of random existing members (m1..mN, as the generator names them), unique references. */
export function purchaseFactory(members: number, prefix: string) {
  let sequence = 0;
  return (): LoyaltyEvent => ({
    type: "purchase",
    memberExternalId: `m${1 + Math.floor(Math.random() * members)}`,
    referenceId: `${prefix}-${sequence++}`,
    amountCents: 100 + Math.floor(Math.random() * 20_000),
  });
}

/**
 * `recordEvents` called by BENCH_CONCURRENCY loops in this process, each sending batches of
 * BENCH_BATCH_SIZE purchases back to back for the given time: the batch API's path minus HTTP.
 */
export async function accrualInProcess(
  config: BenchConfig,
  options: { members: number; seconds: number; batch: number; concurrency: number },
): Promise<{ eventsPerSecond: number; batchLatency: Record<string, number>; events: number }> {
  const handle = connectPostgres(benchDatabaseUrl(config), { max: options.concurrency });
  const next = purchaseFactory(options.members, `b${Date.now().toString(36)}`);
  const latencies: number[] = [];
  let events = 0;
  const runFor = async (ms: number, record: boolean) => {
    const end = performance.now() + ms;
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (performance.now() < end) {
          const batch = Array.from({ length: options.batch }, next);
          const started = performance.now();
          const outcomes = await recordEvents(handle.db, batch, { actor: "api:bench" });
          if (!record) continue;
          latencies.push(performance.now() - started);
          events += outcomes.filter((o) => o.ok).length;
        }
      }),
    );
  };
  await runFor(2_000, false); // warm-up: connections, plans, JIT of the planner code
  const started = performance.now();
  await runFor(options.seconds * 1000, true);
  const seconds = (performance.now() - started) / 1000;
  await handle.close();
  return { eventsPerSecond: events / seconds, batchLatency: percentiles(latencies), events };
}
