import autocannon from "autocannon";
import { connectPostgres } from "@/db/client";
import { createApiKey } from "@/lib/loyalty/api-keys";
import { purchaseFactory } from "./accrual-in-process";
import { benchConfig, benchDatabaseUrl } from "./config";
import { generateData } from "./generate-data";
import { runIfMain } from "./run-main";
import { fmt, percentiles } from "./stats";

/**
 * The REST API under load, against a server started on the bench database (see BENCHMARKS.md):
 * - POST /api/v1/events at a steady BENCH_RATE requests/s (open loop: latency is measured from the
 *   scheduled send time, so a stall is not hidden by sending less), p50/p95/p99;
 * - POST /api/v1/events/batch with BENCH_BATCH_SIZE events per request, as fast as 4 connections
 *   go (autocannon), in events/s.
 */
export async function benchHttp() {
  const config = benchConfig();
  const base = config.BENCH_BASE_URL;
  const health = await fetch(`${base}/api/health`).catch(() => undefined);
  if (!health?.ok) {
    console.log(`http: skipped, no server answering at ${base}/api/health (see BENCHMARKS.md, "HTTP")`);
    return undefined;
  }
  const { members } = await generateData();
  let key = config.BENCH_API_KEY;
  if (!key) {
    const handle = connectPostgres(benchDatabaseUrl(config), { max: 1 });
    key = (await createApiKey(handle.db, { name: `bench-${Date.now()}` })).key;
    await handle.close();
  }
  const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
  const seconds = config.BENCH_DURATION_S;
  const next = purchaseFactory(members, `h${Date.now().toString(36)}`);

  // Single events, open loop at a fixed rate.
  const rate = config.BENCH_RATE;
  const total = Math.round(rate * seconds);
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const scheduled = started + (i * 1000) / rate;
    const wait = scheduled - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(
      fetch(`${base}/api/v1/events`, { method: "POST", headers, body: JSON.stringify(next()) }).then(
        async (response) => {
          await response.arrayBuffer();
          latencies.push(performance.now() - scheduled);
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        },
        () => {
          statuses.set(0, (statuses.get(0) ?? 0) + 1);
        },
      ),
    );
  }
  await Promise.all(inFlight);
  const achieved = total / ((performance.now() - started) / 1000);
  const single = percentiles(latencies);
  console.log(
    `  POST /api/v1/events at ${rate}/s for ${seconds} s: p50 ${single.p50} ms, p95 ${single.p95} ms, p99 ${single.p99} ms` +
      ` (achieved ${fmt(achieved)}/s; statuses ${JSON.stringify(Object.fromEntries(statuses))})`,
  );

  // Batches, closed loop.
  const batch = config.BENCH_BATCH_SIZE;
  const result = await autocannon({
    url: `${base}/api/v1/events/batch`,
    method: "POST",
    headers,
    connections: config.BENCH_CONCURRENCY,
    duration: seconds,
    requests: [
      {
        setupRequest: (request: Record<string, unknown>) => ({
          ...request,
          body: JSON.stringify({ events: Array.from({ length: batch }, next) }),
        }),
      },
    ],
  });
  const eventsPerSecond = (result.requests.total * batch) / seconds;
  console.log(
    `  POST /api/v1/events/batch (${batch} events, ${config.BENCH_CONCURRENCY} connections): ${fmt(eventsPerSecond)} events/s,` +
      ` request p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, non-2xx ${result.non2xx}`,
  );
  return { single, achieved, statuses: Object.fromEntries(statuses), batchEventsPerSecond: eventsPerSecond };
}

runIfMain(import.meta.url, benchHttp);
