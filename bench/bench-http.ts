import autocannon from "autocannon";
import { purchaseFactory } from "./accrual-in-process";
import { startBenchServer, type BenchServer } from "./bench-server";
import { benchConfig } from "./config";
import { generateData } from "./generate-data";
import { runIfMain } from "./run-main";
import { fmt, percentiles } from "./stats";

const headersFor = (server: BenchServer) => ({ authorization: `Bearer ${server.apiKey}`, "content-type": "application/json" });

/**
 * POST /api/v1/events at a steady rate (open loop: latency is measured from the scheduled send
 * time, so a stall is not hidden by sending less), p50/p95/p99.
 */
export async function singleEventLatency(server: BenchServer, options: { members: number; rate: number; seconds: number }) {
  const headers = headersFor(server);
  const next = purchaseFactory(options.members, `h${Date.now().toString(36)}`);
  const total = Math.round(options.rate * options.seconds);
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const scheduled = started + (i * 1000) / options.rate;
    const wait = scheduled - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(
      fetch(`${server.base}/api/v1/events`, { method: "POST", headers, body: JSON.stringify(next()) }).then(
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
  return { latency: percentiles(latencies), achieved, statuses: Object.fromEntries(statuses) };
}

/** POST /api/v1/events/batch with `batch` purchases per request, as fast as `connections` go (closed loop). */
export async function batchThroughHttp(server: BenchServer, options: { members: number; batch: number; connections: number; seconds: number }) {
  const next = purchaseFactory(options.members, `hb${Date.now().toString(36)}`);
  const result = await autocannon({
    url: `${server.base}/api/v1/events/batch`,
    method: "POST",
    headers: headersFor(server),
    connections: options.connections,
    duration: options.seconds,
    requests: [
      {
        setupRequest: (request: Record<string, unknown>) => ({
          ...request,
          body: JSON.stringify({ events: Array.from({ length: options.batch }, next) }),
        }),
      },
    ],
  });
  return {
    eventsPerSecond: (result.requests.total * options.batch) / options.seconds,
    requests: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

/**
 * `bench:http`: the single-event endpoint under a steady BENCH_RATE requests/s, after a warm-up
 * at the same rate (a fresh server's first seconds measure the JIT, not the app). The batch
 * endpoint's throughput is measured by `bench:accrual`, next to pgbench.
 */
export async function benchHttp() {
  const config = benchConfig();
  const { members } = await generateData();
  const server = await startBenchServer(config);
  try {
    const rate = config.BENCH_RATE;
    const seconds = config.BENCH_DURATION_S;
    await singleEventLatency(server, { members, rate, seconds: Math.min(10, seconds) });
    const single = await singleEventLatency(server, { members, rate, seconds });
    console.log(
      `  POST /api/v1/events at ${rate}/s for ${seconds} s (after a warm-up): p50 ${single.latency.p50} ms, p95 ${single.latency.p95} ms, p99 ${single.latency.p99} ms` +
        ` (achieved ${fmt(single.achieved)}/s; statuses ${JSON.stringify(single.statuses)})`,
    );
    return single;
  } finally {
    await server.stop();
  }
}

runIfMain(import.meta.url, benchHttp);
