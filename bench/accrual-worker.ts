import { spawn } from "node:child_process";
import path from "node:path";
import { Redis } from "ioredis";
import { publishEvents } from "@/lib/stream/producer";
import { purchaseFactory } from "./accrual-in-process";
import { benchDatabaseUrl, type BenchConfig } from "./config";

async function groupInfo(redis: Redis, stream: string): Promise<{ entriesRead: number; pending: number; lag: number }> {
  const groups = (await redis.xinfo("GROUPS", stream)) as unknown[][];
  const fields = groups[0] ?? [];
  const get = (name: string) => Number(fields[fields.indexOf(name) + 1] ?? 0);
  return { entriesRead: get("entries-read"), pending: get("pending"), lag: get("lag") };
}

/**
 * Fills a fresh stream with `events` purchases, starts `workers` real worker processes
 * (scripts/worker.ts) and times them from their first read until the group has read and
 * acknowledged everything: the stream path end to end, commits and XACKs included.
 */
export async function accrualThroughWorkers(
  config: BenchConfig,
  options: { members: number; events: number; workers: number; batch: number },
): Promise<{ eventsPerSecond: number; seconds: number; events: number; publishPerSecond: number }> {
  const redis = new Redis(config.REDIS_URL);
  const stream = `bench:events:${Date.now()}`;
  const next = purchaseFactory(options.members, `w${Date.now().toString(36)}`);
  const publishStarted = performance.now();
  for (let sent = 0; sent < options.events; sent += 5_000) {
    await publishEvents(redis, Array.from({ length: Math.min(5_000, options.events - sent) }, next), { stream });
  }
  const publishPerSecond = options.events / ((performance.now() - publishStarted) / 1000);

  const root = path.resolve(import.meta.dirname, "..");
  const children = Array.from({ length: options.workers }, (_, i) =>
    spawn(process.execPath, ["--import", "tsx", "scripts/worker.ts", "--stream", stream, "--consumer", `bench-${i}`, "--batch", String(options.batch), "--block-ms", "200"], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: benchDatabaseUrl(config), REDIS_URL: config.REDIS_URL, LOG_LEVEL: "warn", DB_POOL_MAX: "4" },
      stdio: ["ignore", "ignore", "inherit"],
    }),
  );
  try {
    let started = 0;
    for (;;) {
      await new Promise((r) => setTimeout(r, 50));
      const info = await groupInfo(redis, stream).catch(() => undefined);
      if (!info) continue;
      if (!started && info.entriesRead > 0) started = performance.now();
      if (started && info.lag === 0 && info.pending === 0 && info.entriesRead >= options.events) {
        const seconds = (performance.now() - started) / 1000;
        return { eventsPerSecond: options.events / seconds, seconds, events: options.events, publishPerSecond };
      }
    }
  } finally {
    for (const child of children) child.kill("SIGTERM");
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once("exit", r)))));
    await redis.del(stream, `${stream}:dead`);
    redis.disconnect();
  }
}
