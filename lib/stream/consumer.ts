import type { Redis } from "ioredis";
import type { Db } from "@/db/client";
import type { LoyaltyEvent } from "@/lib/loyalty/accrual/event-input";
import { recordDeadLetters } from "./dead-letters";
import { parseEntries, type RawEntry } from "./entries";
import { ACCRUAL_GROUP, EVENTS_STREAM } from "./names";

/** What the accrual service answers per event (the shape of `recordEvents`). */
export type ApplyResult =
  { ok: true; status: number; result: unknown } | { ok: false; status: number; error: { error: string; message: string; field?: string } };

export type ApplyEvents = (events: LoyaltyEvent[]) => Promise<ApplyResult[]>;

export interface ConsumerOptions {
  db: Db;
  redis: Redis;
  apply: ApplyEvents;
  consumer: string;
  stream?: string;
  group?: string;
  /** Defaults to `<stream>:dead` (DEAD_LETTER_STREAM for the default stream). */
  deadLetterStream?: string;
  batchSize?: number;
  blockMs?: number;
  /** Entries another consumer has held unacknowledged this long are taken over (it probably died). */
  claimIdleMs?: number;
  /** An event whose own outcome is a retryable failure (5xx, 429) this many times is dead-lettered. */
  maxDeliveries?: number;
  /** Called after the database commit and before XACK: the crash test stops the process here. */
  afterCommit?: (count: number) => Promise<void> | void;
}

export interface BatchOutcome {
  read: number;
  applied: number;
  deadLettered: number;
  /** Left pending for a retry (database down, transient failure). */
  retried: number;
}

/**
 * Redis Streams consumer-group worker with at-least-once delivery: entries are acknowledged only
 * after the database transaction that applied them has committed, so a crash in between replays
 * them, and the idempotent accrual (unique reference per event) turns the replay into duplicates
 * that award nothing. Events that can never succeed are dead-lettered and acknowledged so they
 * never block the stream; failures that may pass on retry stay pending.
 */
export function createStreamConsumer(options: ConsumerOptions) {
  const stream = options.stream ?? EVENTS_STREAM;
  const group = options.group ?? ACCRUAL_GROUP;
  const batchSize = options.batchSize ?? 500;
  const claimIdleMs = options.claimIdleMs ?? 30_000;
  const maxDeliveries = options.maxDeliveries ?? 10;
  const { redis, consumer } = options;
  // Own pending entries (from before a restart or a failed batch) are replayed before new ones.
  let replayOwnPending = true;
  let lastClaimAt = 0;

  async function ensureGroup(): Promise<void> {
    try {
      // From the beginning: events published before the first worker ever started are applied too.
      await redis.xgroup("CREATE", stream, group, "0", "MKSTREAM");
    } catch (error) {
      if (!String((error as Error).message).includes("BUSYGROUP")) throw error;
    }
  }

  async function readOwnPending(): Promise<RawEntry[]> {
    const reply = (await redis.xreadgroup("GROUP", group, consumer, "COUNT", batchSize, "STREAMS", stream, "0")) as [string, RawEntry[]][] | null;
    return reply?.[0]?.[1] ?? [];
  }

  async function claimAbandoned(): Promise<RawEntry[]> {
    const [, entries] = (await redis.xautoclaim(stream, group, consumer, claimIdleMs, "0", "COUNT", batchSize)) as [string, RawEntry[], ...unknown[]];
    return entries ?? [];
  }

  /**
   * Makes every entry pending in the group this consumer's, whoever read it (XAUTOCLAIM from the
   * start, idle or not, JUSTID so the takeover counts as no delivery), and replays them, oldest
   * first, before any new entry: called when a worker gains a shard, so a batch its previous owner
   * read but never acknowledged is applied before the events published after it.
   */
  async function takeOver(): Promise<number> {
    let cursor = "0-0";
    let claimed = 0;
    do {
      const [next, ids] = (await redis.xautoclaim(stream, group, consumer, 0, cursor, "COUNT", 1_000, "JUSTID")) as [string, string[]];
      claimed += ids.length;
      cursor = next;
    } while (cursor !== "0-0");
    replayOwnPending = true;
    return claimed;
  }

  async function readNew(blockMs: number): Promise<RawEntry[]> {
    const reply = (await redis.xreadgroup("GROUP", group, consumer, "COUNT", batchSize, "BLOCK", blockMs, "STREAMS", stream, ">")) as
      [string, RawEntry[]][] | null;
    return reply?.[0]?.[1] ?? [];
  }

  async function nextEntries(blockMs: number): Promise<RawEntry[]> {
    if (replayOwnPending) {
      const pending = await readOwnPending();
      if (pending.length > 0) return pending;
      replayOwnPending = false;
    }
    if (Date.now() - lastClaimAt >= Math.min(claimIdleMs, 5_000)) {
      lastClaimAt = Date.now();
      const claimed = await claimAbandoned();
      if (claimed.length > 0) return claimed;
    }
    return readNew(blockMs);
  }

  async function deliveryCounts(ids: readonly string[]): Promise<number[]> {
    const pipeline = redis.pipeline();
    for (const id of ids) pipeline.xpending(stream, group, id, id, 1);
    const replies = (await pipeline.exec()) ?? [];
    return replies.map(([, reply]) => Number((reply as [string, string, number, number][])[0]?.[3] ?? 0));
  }

  async function handle(entries: RawEntry[]): Promise<BatchOutcome> {
    const parsed = parseEntries(entries);
    const letters = parsed.invalid.map(({ streamId, payload, reason }) => ({ streamId, payload, reason }));
    const ack: string[] = [...parsed.gone];
    let applied = 0;
    const retryable: { streamId: string; payload: unknown; reason: string }[] = [];

    if (parsed.valid.length > 0) {
      const results = await options.apply(parsed.valid.map((v) => v.event));
      results.forEach((result, i) => {
        const entry = parsed.valid[i]!;
        if (result.ok) {
          applied++;
          ack.push(entry.streamId);
        } else if (result.status >= 400 && result.status < 500 && result.status !== 429) {
          letters.push({ streamId: entry.streamId, payload: entry.payload, reason: `${result.error.error}: ${result.error.message}` });
        } else {
          retryable.push({ streamId: entry.streamId, payload: entry.payload, reason: `${result.error.error}: ${result.error.message}` });
        }
      });
      await options.afterCommit?.(applied);
    }

    let retried = 0;
    if (retryable.length > 0) {
      // A failure that outlives its retries is treated as poison, or it would hold the stream forever.
      const counts = await deliveryCounts(retryable.map((r) => r.streamId));
      retryable.forEach((r, i) => {
        if (counts[i]! >= maxDeliveries) letters.push({ ...r, reason: `gave_up after ${counts[i]} deliveries: ${r.reason}` });
        else retried++;
      });
      if (retried > 0) replayOwnPending = true;
    }

    if (letters.length > 0) {
      await recordDeadLetters(options.db, redis, letters, { stream, deadLetterStream: options.deadLetterStream ?? `${stream}:dead` });
      ack.push(...letters.map((l) => l.streamId));
    }
    if (ack.length > 0) await redis.xack(stream, group, ...ack);
    return { read: entries.length, applied, deadLettered: letters.length, retried };
  }

  return {
    ensureGroup,
    takeOver,
    /** Reads and applies one batch (waiting up to blockMs for new entries). */
    async runOnce(blockMs = options.blockMs ?? 1_000): Promise<BatchOutcome> {
      const entries = await nextEntries(blockMs);
      if (entries.length === 0) return { read: 0, applied: 0, deadLettered: 0, retried: 0 };
      try {
        return await handle(entries);
      } catch (error) {
        // Whatever failed (apply, dead letters, ack), the entries are still pending: replay them first.
        replayOwnPending = true;
        throw error;
      }
    },
  };
}

export type StreamConsumer = ReturnType<typeof createStreamConsumer>;
