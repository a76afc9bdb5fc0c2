import { randomUUID } from "node:crypto";
import os from "node:os";
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import { connectFromEnv } from "@/db/client";
import { setCacheStore } from "@/lib/cache/cache";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { recordEvents } from "@/lib/loyalty/accrual/record-events";
import { createStreamConsumer } from "@/lib/stream/consumer";
import { createLease } from "@/lib/stream/lease";
import { ACCRUAL_GROUP, EVENTS_STREAM } from "@/lib/stream/names";
import { runWorker } from "@/lib/stream/run-worker";
import { parseShardList, shardLeaseKey, shardStream } from "@/lib/stream/shards";

/**
 * `npm run worker`: applies events from the Redis stream through the same accrual as the REST API.
 * The stream is sharded by member (EVENT_STREAM_SHARDS); the worker applies the shards of --shards
 * (all by default), each only while it holds that shard's lease, so a member's events are applied
 * in order. Run one worker per set of shards (distinct --consumer names); a second worker on the
 * same shards stands by and takes over, pending entries first, when the first stops or dies.
 */
const { values: args } = parseArgs({
  options: {
    stream: { type: "string", default: EVENTS_STREAM },
    group: { type: "string", default: ACCRUAL_GROUP },
    consumer: { type: "string", default: `${os.hostname()}-1` },
    shards: { type: "string" },
    batch: { type: "string", default: "500" },
    "block-ms": { type: "string", default: "1000" },
    "lease-ms": { type: "string", default: "10000" },
    "claim-idle-ms": { type: "string", default: "30000" },
    // For the crash test only: stop between the database commit and XACK.
    "pause-after-commit-ms": { type: "string", default: "0" },
  },
});

function whole(name: "batch" | "block-ms" | "lease-ms" | "claim-idle-ms", min = 1): number {
  const value = Number(args[name]);
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be a whole number of at least ${min}.`);
  return value;
}

async function main() {
  const { REDIS_URL: redisUrl, EVENT_STREAM_SHARDS: shardCount } = env();
  if (!redisUrl) throw new Error("REDIS_URL is not set: the worker reads events from a Redis stream.");
  const shards = parseShardList(args.shards, shardCount);
  const batchSize = whole("batch");
  const blockMs = whole("block-ms");
  const leaseMs = whole("lease-ms", 300); // renewed every third: shorter would spin on Redis
  const claimIdleMs = whole("claim-idle-ms");
  const handle = connectFromEnv();
  // Unlike the cache, the worker waits for Redis: commands queue while it reconnects.
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const actor = `job:stream-worker`;
  // Unique per process: a restarted worker must wait for its dead predecessor's lease to expire.
  const owner = `${args.consumer}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const pauseMs = Number(args["pause-after-commit-ms"]);
  const connections: Redis[] = [];
  const work = shards.map((shard) => {
    const stream = shardStream(args.stream, shard, shardCount);
    // A connection per shard: a blocking read on one must not hold up the others or the leases.
    const connection = redis.duplicate();
    connections.push(connection);
    const consumer = createStreamConsumer({
      db: handle.db,
      redis: connection,
      consumer: args.consumer,
      stream,
      group: args.group,
      deadLetterStream: `${args.stream}:dead`,
      batchSize,
      claimIdleMs,
      apply: (events) => recordEvents(handle.db, events, { actor }),
      afterCommit: async (count) => {
        log().info({ shard, count }, "committed");
        if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
      },
    });
    const lease = createLease(redis, { key: shardLeaseKey(stream, args.group), owner, ttlMs: leaseMs });
    return { shard, consumer, lease };
  });

  const stop = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => stop.abort());
  log().info({ stream: args.stream, group: args.group, consumer: args.consumer, shards, of: shardCount }, "worker started");
  await runWorker(work, { signal: stop.signal, log: log(), blockMs });
  log().info("worker stopped");
  for (const connection of connections) connection.disconnect();
  redis.disconnect();
  await setCacheStore(undefined)?.close();
  await handle.close();
}

main().catch((error) => {
  log().fatal({ err: error }, "worker crashed");
  process.exit(1);
});
