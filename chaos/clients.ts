import type { Redis } from "ioredis";
import { publishEvents } from "@/lib/stream/producer";
import { sleep } from "./services";

/**
 * Retrying clients, as an order service or a shop would be written: every operation has its own
 * reference, a retry sends the same request again (same reference), and it is retried on a network
 * error, a 5xx or a 429 until an answer comes back. Every answered operation is recorded with its
 * answer; the checks afterwards compare the ledger with these records.
 */
export type OpKind = "event" | "batch" | "stream" | "redemption";

export interface Op {
  kind: OpKind;
  ref: string;
  member: string;
  amountCents?: number;
  /** Points asked for (redemptions). */
  points?: number;
  attempts: number;
  /** Set when acknowledged: the status of the answer and the points it says were recorded. */
  status?: number;
  error?: string;
  /** Earned (events) or redeemed (redemptions) points the answer reports; 0 for a refusal. */
  answeredPoints?: number;
  ackedAt?: number;
}

export interface ClientStats {
  ops: Op[];
  /** Every answer or failure seen, by "kind status" ("event 201", "batch 503", "stream network"). */
  answers: Map<string, number>;
  lastAck: Record<OpKind, number>;
}

export function newStats(): ClientStats {
  return { ops: [], answers: new Map(), lastAck: { event: 0, batch: 0, stream: 0, redemption: 0 } };
}

function count(stats: ClientStats, key: string): void {
  stats.answers.set(key, (stats.answers.get(key) ?? 0) + 1);
}

const backoff = (attempt: number) => Math.min(50 * 2 ** Math.min(attempt, 4), 800) * (0.5 + Math.random());
const retryable = (status: number) => status >= 500 || status === 429;

/** POST until answered; returns the status and the body. */
async function postUntilAnswered(stats: ClientStats, kind: OpKind, url: string, key: string, body: unknown, ops: Op[]) {
  for (let attempt = 0; ; attempt++) {
    for (const op of ops) op.attempts++;
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
      count(stats, `${kind} ${response.status}`);
      const text = await response.text();
      if (!retryable(response.status)) return { status: response.status, body: JSON.parse(text) as Record<string, unknown> };
    } catch {
      count(stats, `${kind} network`);
    }
    await sleep(backoff(attempt));
  }
}

export interface ClientContext {
  baseUrl: string;
  key: string;
  run: string;
  members: readonly string[];
  stats: ClientStats;
  /** Clients start no new operation once this aborts; the one in flight is retried to its answer. */
  stop: AbortSignal;
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;
const amount = () => 100 * (1 + Math.floor(Math.random() * 200)) + Math.floor(Math.random() * 100);

function ack(stats: ClientStats, op: Op, status: number, answeredPoints: number, error?: string) {
  op.status = status;
  op.answeredPoints = answeredPoints;
  op.error = error;
  op.ackedAt = Date.now();
  stats.lastAck[op.kind] = op.ackedAt;
}

/** Single purchases through POST /api/v1/events (the group-commit path). */
export async function eventClient(ctx: ClientContext, id: number): Promise<void> {
  for (let n = 0; !ctx.stop.aborted; n++) {
    const op: Op = { kind: "event", ref: `${ctx.run}-e${id}-${n}`, member: pick(ctx.members), amountCents: amount(), attempts: 0 };
    ctx.stats.ops.push(op);
    const event = { type: "purchase", memberExternalId: op.member, referenceId: op.ref, amountCents: op.amountCents };
    const answer = await postUntilAnswered(ctx.stats, "event", `${ctx.baseUrl}/api/v1/events`, ctx.key, event, [op]);
    ack(ctx.stats, op, answer.status, Number(answer.body.points ?? 0), answer.body.error as string | undefined);
    await sleep(5);
  }
}

/** Batches of purchases through POST /api/v1/events/batch; each event is acknowledged with its own result. */
export async function batchClient(ctx: ClientContext, id: number, size: number): Promise<void> {
  for (let n = 0; !ctx.stop.aborted; n++) {
    const ops: Op[] = Array.from({ length: size }, (_, i) => ({
      kind: "batch" as const,
      ref: `${ctx.run}-b${id}-${n}-${i}`,
      member: pick(ctx.members),
      amountCents: amount(),
      attempts: 0,
    }));
    ctx.stats.ops.push(...ops);
    const events = ops.map((op) => ({ type: "purchase", memberExternalId: op.member, referenceId: op.ref, amountCents: op.amountCents }));
    const answer = await postUntilAnswered(ctx.stats, "batch", `${ctx.baseUrl}/api/v1/events/batch`, ctx.key, { events }, ops);
    const results = (answer.body.results ?? []) as { status: number; result?: { points: number }; error?: { error: string } }[];
    ops.forEach((op, i) => {
      const item = results[i];
      if (item) ack(ctx.stats, op, item.status, Number(item.result?.points ?? 0), item.error?.error);
      else ack(ctx.stats, op, answer.status, 0, String(answer.body.error ?? "no_result"));
    });
    await sleep(20);
  }
}

/** Point redemptions through POST /api/v1/members/{id}/redemptions; a 409 insufficient_points is an answer too. */
export async function redemptionClient(ctx: ClientContext, id: number): Promise<void> {
  for (let n = 0; !ctx.stop.aborted; n++) {
    const op: Op = { kind: "redemption", ref: `${ctx.run}-r${id}-${n}`, member: pick(ctx.members), points: 1 + Math.floor(Math.random() * 60), attempts: 0 };
    ctx.stats.ops.push(op);
    const url = `${ctx.baseUrl}/api/v1/members/${encodeURIComponent(op.member)}/redemptions`;
    const answer = await postUntilAnswered(ctx.stats, "redemption", url, ctx.key, { points: op.points, referenceId: op.ref }, [op]);
    const redeemed = answer.status === 200 || answer.status === 201 ? Number(answer.body.points ?? op.points) : 0;
    ack(ctx.stats, op, answer.status, redeemed, answer.body.error as string | undefined);
    await sleep(10);
  }
}

/**
 * Producer of the Redis stream: a group of purchases appended per round trip, acknowledged when
 * Redis answers with their entry ids (the worker applies them later; the checks wait for it).
 */
export async function streamClient(ctx: ClientContext, redis: Redis, size: number): Promise<void> {
  for (let n = 0; !ctx.stop.aborted; n++) {
    const ops: Op[] = Array.from({ length: size }, (_, i) => ({
      kind: "stream" as const,
      ref: `${ctx.run}-x-${n}-${i}`,
      member: pick(ctx.members),
      amountCents: amount(),
      attempts: 0,
    }));
    ctx.stats.ops.push(...ops);
    const events = ops.map((op) => ({ type: "purchase" as const, memberExternalId: op.member, referenceId: op.ref, amountCents: op.amountCents! }));
    for (let attempt = 0; ; attempt++) {
      for (const op of ops) op.attempts++;
      try {
        await publishEvents(redis, events, { shards: 1 });
        count(ctx.stats, "stream ok");
        break;
      } catch {
        count(ctx.stats, "stream network");
        await sleep(backoff(attempt));
      }
    }
    // Points as docs/ledger.md computes them for a bronze member without a campaign (the run creates none).
    for (const op of ops) ack(ctx.stats, op, 202, Math.floor(op.amountCents! / 100));
    await sleep(50);
  }
}
