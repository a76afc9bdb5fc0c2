import type { Db } from "@/db/client";
import { recordEvents, type EventOutcome, type LedgerContext } from "./record-events";
import type { LoyaltyEvent } from "./event-input";

/**
 * Group commit for single-event requests. One earn per transaction tops out near 1,250/s through
 * Drizzle on two cores (every commit waits for its own WAL flush); requests arriving within about a
 * millisecond of each other are instead recorded together by one `recordEvents` call, one
 * transaction and one WAL flush, and each caller still gets its own outcome. Under load the
 * batches grow by themselves: while `maxConcurrentFlushes` batches are in flight new requests wait
 * and join the next one.
 */
export type FlushEvents = (events: LoyaltyEvent[], ctx: LedgerContext) => Promise<EventOutcome[]>;

export interface GroupCommitOptions {
  flush: FlushEvents;
  /** A batch is sent as soon as it holds this many events. */
  maxBatch?: number;
  /** ...or this long after its first event arrived. */
  maxDelayMs?: number;
  maxConcurrentFlushes?: number;
}

interface Waiter {
  event: LoyaltyEvent;
  resolve: (outcome: EventOutcome) => void;
  reject: (error: unknown) => void;
}

interface Queue {
  ctx: LedgerContext;
  waiters: Waiter[];
  timer?: ReturnType<typeof setTimeout>;
}

export function createGroupCommitter(options: GroupCommitOptions) {
  const maxBatch = options.maxBatch ?? 250;
  const maxDelayMs = options.maxDelayMs ?? 1;
  const maxConcurrent = options.maxConcurrentFlushes ?? 4;
  // Requests of different actors (API keys), clocks or booking modes are never mixed: the ledger rows record them.
  const queues = new Map<string, Queue>();
  let inFlight = 0;
  const idle = new Set<() => void>();

  function keyOf(ctx: LedgerContext): string {
    return `${ctx.actor}\u0000${ctx.now?.toISOString() ?? ""}${ctx.bookAtOccurrence ? "\u0000booked" : ""}`;
  }

  function schedule(key: string, queue: Queue) {
    if (queue.waiters.length >= maxBatch) {
      void flushQueue(key);
    } else if (!queue.timer) {
      queue.timer = setTimeout(() => void flushQueue(key), maxDelayMs);
    }
  }

  async function flushQueue(key: string): Promise<void> {
    const queue = queues.get(key);
    if (!queue) return;
    clearTimeout(queue.timer);
    queue.timer = undefined;
    if (inFlight >= maxConcurrent) return; // picked up when a flush in flight completes
    const batch = queue.waiters.splice(0, maxBatch);
    if (queue.waiters.length === 0) queues.delete(key);
    else schedule(key, queue);
    if (batch.length === 0) return;

    inFlight++;
    try {
      await settle(batch, queue.ctx);
    } finally {
      inFlight--;
      for (const [nextKey, next] of queues) {
        if (inFlight >= maxConcurrent) break;
        if (next.waiters.length > 0) void flushQueue(nextKey);
      }
      if (inFlight === 0 && queues.size === 0) for (const done of idle) done();
    }
  }

  async function settle(batch: Waiter[], ctx: LedgerContext): Promise<void> {
    try {
      const outcomes = await options.flush(
        batch.map((w) => w.event),
        ctx,
      );
      batch.forEach((waiter, i) => {
        const outcome = outcomes[i];
        if (outcome) waiter.resolve(outcome);
        else waiter.reject(new Error("the batch returned no outcome for this event"));
      });
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      // Something in the batch failed the whole transaction (nothing was written): each event on its
      // own, so only the one that causes it fails.
      await Promise.all(batch.map((waiter) => settle([waiter], ctx)));
    }
  }

  return {
    /** Records one event together with whatever else arrives at about the same time. */
    submit(event: LoyaltyEvent, ctx: LedgerContext): Promise<EventOutcome> {
      return new Promise<EventOutcome>((resolve, reject) => {
        const key = keyOf(ctx);
        let queue = queues.get(key);
        if (!queue) {
          queue = { ctx, waiters: [] };
          queues.set(key, queue);
        }
        queue.waiters.push({ event, resolve, reject });
        schedule(key, queue);
      });
    },
    /** Resolves once nothing is queued or in flight (graceful shutdown, tests). */
    drained(): Promise<void> {
      if (inFlight === 0 && queues.size === 0) return Promise.resolve();
      return new Promise((resolve) => {
        const done = () => {
          idle.delete(done);
          resolve();
        };
        idle.add(done);
      });
    },
  };
}

export type GroupCommitter = ReturnType<typeof createGroupCommitter>;

const committers = new WeakMap<Db, GroupCommitter>();

/**
 * What POST /api/v1/events calls: the same outcome `recordEvents(db, [event], ctx)` would give
 * (status 201 new, 200 duplicate, 4xx error), coalesced with concurrent requests of this process.
 */
export function recordEventGrouped(db: Db, event: LoyaltyEvent, ctx: LedgerContext): Promise<EventOutcome> {
  let committer = committers.get(db);
  if (!committer) {
    committer = createGroupCommitter({ flush: (events, batchCtx) => recordEvents(db, events, batchCtx) });
    committers.set(db, committer);
  }
  return committer.submit(event, ctx);
}
