import type { Redis } from "ioredis";
import type { LoyaltyEventInput } from "@/lib/loyalty/events";
import { EVENT_FIELD, EVENTS_STREAM } from "./names";

/**
 * Appends events to the stream in one pipelined round trip and returns their entry ids. The
 * consumer validates each payload, so anything JSON-serializable may be published (a bad payload
 * ends in the dead-letter stream, not in an exception here).
 */
export async function publishEvents(
  redis: Redis,
  events: readonly (LoyaltyEventInput | Record<string, unknown>)[],
  options: { stream?: string } = {},
): Promise<string[]> {
  if (events.length === 0) return [];
  const stream = options.stream ?? EVENTS_STREAM;
  const pipeline = redis.pipeline();
  for (const event of events) pipeline.xadd(stream, "*", EVENT_FIELD, JSON.stringify(event));
  const replies = (await pipeline.exec()) ?? [];
  return replies.map(([error, id]) => {
    if (error) throw error;
    return id as string;
  });
}
