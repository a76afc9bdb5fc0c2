import { and, desc, lt } from "drizzle-orm";
import type { Redis } from "ioredis";
import type { Executor } from "@/db/client";
import { deadLetterEvents } from "@/db/schema";
import { decodeCursor, encodeCursor } from "@/db/queries/transactions";
import { DEAD_LETTER_STREAM } from "./names";

export type DeadLetterEvent = typeof deadLetterEvents.$inferSelect;

export interface DeadLetter {
  streamId: string;
  payload: unknown;
  reason: string;
}

/**
 * Keeps poison events where admins can see them: in the database (the durable record, unique per
 * stream entry so a replay after a crash records it once) and on the dead-letter stream (for
 * tooling that tails streams). Called before the entries are acknowledged.
 */
export async function recordDeadLetters(
  ex: Executor,
  redis: Redis,
  letters: readonly DeadLetter[],
  options: { stream?: string; deadLetterStream?: string } = {},
): Promise<void> {
  if (letters.length === 0) return;
  await ex
    .insert(deadLetterEvents)
    .values(letters.map((l) => ({ streamId: `${options.stream ?? "stream"}:${l.streamId}`, payload: l.payload ?? null, reason: l.reason })))
    .onConflictDoNothing({ target: deadLetterEvents.streamId });
  const pipeline = redis.pipeline();
  for (const l of letters) {
    pipeline.xadd(
      options.deadLetterStream ?? DEAD_LETTER_STREAM,
      "*",
      "streamId",
      l.streamId,
      "reason",
      l.reason,
      "payload",
      JSON.stringify(l.payload ?? null),
    );
  }
  await pipeline.exec();
}

/** Newest first, keyset-paginated by id (the cursor is opaque, as in the transactions API). */
export async function listDeadLetters(
  ex: Executor,
  options: { limit?: number; cursor?: string | null } = {},
): Promise<{ items: DeadLetterEvent[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(Math.trunc(options.limit ?? 50), 1), 200);
  const rows = await ex
    .select()
    .from(deadLetterEvents)
    .where(and(options.cursor ? lt(deadLetterEvents.id, decodeCursor(options.cursor)) : undefined))
    .orderBy(desc(deadLetterEvents.id))
    .limit(limit + 1);
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
}
