import type { Redis } from "ioredis";
import { env } from "@/lib/env";
import type { LoyaltyEventInput } from "@/lib/loyalty/accrual/event-input";
import { EVENT_FIELD, EVENTS_STREAM } from "./names";
import { eventShard, shardStream } from "./shards";

/**
 * Appends events to the stream in one pipelined round trip and returns their entry ids, in the
 * order given. With several shards (EVENT_STREAM_SHARDS) each event goes to its member's shard
 * stream, so one member's events stay in publishing order. The consumer validates each payload, so
 * anything JSON-serializable may be published (a bad payload ends in the dead-letter stream, not
 * in an exception here).
 */
export async function publishEvents(
  redis: Redis,
  events: readonly (LoyaltyEventInput | Record<string, unknown>)[],
  options: { stream?: string; shards?: number } = {},
): Promise<string[]> {
  if (events.length === 0) return [];
  const base = options.stream ?? EVENTS_STREAM;
  const shards = options.shards ?? env().EVENT_STREAM_SHARDS;
  const pipeline = redis.pipeline();
  for (const event of events) {
    pipeline.xadd(shardStream(base, eventShard(event, shards), shards), "*", EVENT_FIELD, JSON.stringify(event));
  }
  const replies = (await pipeline.exec()) ?? [];
  return replies.map(([error, id]) => {
    if (error) throw error;
    return id as string;
  });
}
