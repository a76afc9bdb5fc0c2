import { spawn } from "node:child_process";
import path from "node:path";
import { Redis } from "ioredis";
import { publishEvents } from "@/lib/stream/producer";
import { shardLeaseKey, shardStream } from "@/lib/stream/shards";
import { purchaseFactory } from "./accrual-in-process";
import { benchDatabaseUrl, type BenchConfig } from "./config";

/** The group's progress summed over the shard streams (a shard not yet read counts as not started). */
async function groupInfo(redis: Redis, streams: readonly string[]): Promise<{ entriesRead: number; pending: number; lag: number }> {
  const total = { entriesRead: 0, pending: 0, lag: 0 };
  for (const stream of streams) {
    const groups = (await redis.xinfo("GROUPS", stream)) as unknown[][];
    const fields = groups[0] ?? [];
    const get = (name: string) => Number(fields[fields.indexOf(name) + 1] ?? 0);
    total.entriesRead += get("entries-read");
    total.pending += get("pending");
    total.lag += fields.length > 0 ? get("lag") : 1;
  }
  return total;
}

/**
 * Fills a fresh stream, sharded by member into `shards` shard streams, with `events` purchases,
 * starts `workers` real worker processes (scripts/worker.ts), the shards dealt out between them
 * (shard i to worker i % workers, as a deployment gives workers disjoint --shards), and times them
 * from their first read until the group has read and acknowledged everything: the stream path end
 * to end, commits and XACKs included. A worker applies its shards side by side, one batch each at a
 * time, so `shards` is the number of batches in flight: give it pgbench's client count to compare.
 */
export async function accrualThroughWorkers(
  config: BenchConfig,
  options: { members: number; events: number; workers: number; shards: number; batch: number },
): Promise<{ eventsPerSecond: number; seconds: number; events: number; publishPerSecond: number }> {
  const redis = new Redis(config.REDIS_URL);
  const stream = `bench:events:${Date.now()}`;
  const { shards } = options;
  const shardStreams = Array.from({ length: shards }, (_, i) => shardStream(stream, i, shards));
  const next = purchaseFactory(options.members, `w${Date.now().toString(36)}`);
  const publishStarted = performance.now();
  for (let sent = 0; sent < options.events; sent += 5_000) {
    await publishEvents(redis, Array.from({ length: Math.min(5_000, options.events - sent) }, next), { stream, shards });
  }
  const publishPerSecond = options.events / ((performance.now() - publishStarted) / 1000);

  const root = path.resolve(import.meta.dirname, "..");
  const children = Array.from({ length: options.workers }, (_, i) => {
    const owned = shardStreams.map((_, shard) => shard).filter((shard) => shard % options.workers === i);
    return spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "scripts/worker.ts",
        "--stream",
        stream,
        "--shards",
        owned.join(","),
        "--consumer",
        `bench-${i}`,
        "--batch",
        String(options.batch),
        "--block-ms",
        "200",
      ],
      {
        cwd: root,
        env: {
          ...process.env,
          DATABASE_URL: benchDatabaseUrl(config),
          REDIS_URL: config.REDIS_URL,
          EVENT_STREAM_SHARDS: String(shards),
          LOG_LEVEL: "warn",
          DB_POOL_MAX: String(owned.length + 1),
        },
        stdio: ["ignore", "ignore", "inherit"],
      },
    );
  });
  try {
    let started = 0;
    for (;;) {
      await new Promise((r) => setTimeout(r, 50));
      const info = await groupInfo(redis, shardStreams).catch(() => undefined);
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
    await redis.del(`${stream}:dead`, ...shardStreams, ...shardStreams.map((s) => shardLeaseKey(s, "accrual")));
    redis.disconnect();
  }
}
