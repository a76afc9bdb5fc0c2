import os from "node:os";
import { apiKeyPolicy } from "@/lib/rate-limit/policies";
import { RateLimits, redisRateLimits, type RatePolicy } from "@/lib/rate-limit/rate-limits";
import { runIfMain } from "./run-main";

/**
 * What the per-key rate limit adds to a request (`npm run bench:rate-limit`): the limiter alone,
 * called open loop at the single-event benchmark's 500 requests/s for 10 s, with latency from each
 * call's scheduled time and this process's CPU. Paths: nothing (the loop's own cost), memory,
 * Redis with a round trip per call, and Redis with slices reserved (what the API uses).
 */
const RATE = 500;
const SECONDS = 10;

async function openLoop(consume: () => Promise<unknown>) {
  const latencies: number[] = [];
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < RATE * SECONDS; i++) {
    const at = start + (i * 1000) / RATE;
    const wait = at - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const sent = performance.now();
    pending.push(consume().then(() => void latencies.push(performance.now() - sent)));
  }
  await Promise.all(pending);
  latencies.sort((a, b) => a - b);
  const cpu = process.cpuUsage(cpu0);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))]!.toFixed(3);
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), cpu: (((cpu.user + cpu.system) / 1e6 / SECONDS) * 100).toFixed(1) };
}

export async function benchRateLimit(): Promise<void> {
  const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const policy: RatePolicy = apiKeyPolicy(1_000);
  const memory = new RateLimits({ kind: "memory" });
  const redis = redisRateLimits(url, `bench:rl:${process.pid}:${Date.now()}:`);
  if (!(await redis.whenReady(2_000))) throw new Error(`Redis at ${url} did not answer`);
  console.log(
    `Rate limiter at ${RATE} calls/s for ${SECONDS} s, key limit ${policy.points}/s (${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(1)}, Node ${process.version})`,
  );
  await openLoop(() => redis.consumeReserved(policy, "warm-up"));
  const paths: [string, () => Promise<unknown>][] = [
    ["none (the loop itself)", async () => {}],
    ["memory", () => memory.consume(policy, "m")],
    ["Redis, a round trip per call", () => redis.consume(policy, "r")],
    ["Redis, reserved slices (the API's path)", () => redis.consumeReserved(policy, "s")],
  ];
  for (const [label, consume] of paths) {
    const r = await openLoop(consume);
    console.log(`  ${label.padEnd(40)} p50 ${r.p50} ms  p95 ${r.p95} ms  p99 ${r.p99} ms  CPU ${r.cpu}% of a core`);
  }
  await redis.close();
}

runIfMain(import.meta.url, benchRateLimit);
