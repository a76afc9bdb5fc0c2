import os from "node:os";
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import { connectFromEnv } from "@/db/client";
import { setCacheStore } from "@/lib/cache/cache";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { recordEvents } from "@/lib/loyalty/accrual";
import { createStreamConsumer } from "@/lib/stream/consumer";
import { ACCRUAL_GROUP, EVENTS_STREAM } from "@/lib/stream/names";
import { runWorker } from "@/lib/stream/run-worker";

/**
 * `npm run worker`: applies events from the Redis stream through the same accrual as the REST API.
 * Run several (distinct --consumer names) to share the load; a restarted worker with the same name
 * replays what it had read but not acknowledged, another one takes it over after --claim-idle-ms.
 */
const { values: args } = parseArgs({
  options: {
    stream: { type: "string", default: EVENTS_STREAM },
    group: { type: "string", default: ACCRUAL_GROUP },
    consumer: { type: "string", default: `${os.hostname()}-1` },
    batch: { type: "string", default: "500" },
    "block-ms": { type: "string", default: "1000" },
    "claim-idle-ms": { type: "string", default: "30000" },
    // For the crash test only: stop between the database commit and XACK.
    "pause-after-commit-ms": { type: "string", default: "0" },
  },
});

async function main() {
  const redisUrl = env().REDIS_URL;
  if (!redisUrl) throw new Error("REDIS_URL is not set: the worker reads events from a Redis stream.");
  const handle = connectFromEnv();
  // Unlike the cache, the worker waits for Redis: commands queue while it reconnects.
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const actor = `job:stream-worker`;
  const pauseMs = Number(args["pause-after-commit-ms"]);
  const consumer = createStreamConsumer({
    db: handle.db,
    redis,
    consumer: args.consumer,
    stream: args.stream,
    group: args.group,
    batchSize: Number(args.batch),
    blockMs: Number(args["block-ms"]),
    claimIdleMs: Number(args["claim-idle-ms"]),
    apply: (events) => recordEvents(handle.db, events, { actor }),
    afterCommit: async (count) => {
      log().info({ count }, "committed");
      if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
    },
  });

  const stop = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => stop.abort());
  log().info({ stream: args.stream, group: args.group, consumer: args.consumer }, "worker started");
  await runWorker(consumer, { signal: stop.signal, log: log() });
  log().info("worker stopped");
  redis.disconnect();
  await setCacheStore(undefined)?.close();
  await handle.close();
}

main().catch((error) => {
  log().fatal({ err: error }, "worker crashed");
  process.exit(1);
});
