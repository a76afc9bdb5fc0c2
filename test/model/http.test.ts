/**
 * The second harness: the same model and generators against the REST API of a running `next start`
 * (started by test/model/http-run.mjs, or any server: MODEL_HTTP_URL, MODEL_HTTP_KEY with every
 * scope, MODEL_HTTP_CRON_SECRET, MODEL_HTTP_DATABASE_URL for the fixtures). Skipped without them.
 *
 * The server reads its own clock, so the model's clock follows the wall clock (each step sets it
 * just before the request); time passes through occurredAt dated back instead of clock moves, and
 * staff operations (adjustments, reversals) have no REST route and are left out. Every answer is
 * compared (status code, body), then every member's GET /api/v1/members/{externalId}. Sequences
 * share the database, so each has its own members and references (ModelState.ns); the job routes'
 * summaries count every sequence's members and only their status is compared, their effect through
 * the member summaries.
 */
import fc from "fast-check";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectPostgres, type DbHandle } from "@/db/client";
import { expand, sequenceArbitrary, type Command } from "./commands";
import { memberSummary, type EventAnswer } from "./ledger-model";
import { initialState, SCALE, type ModelState } from "./model-state";
import { iso } from "./model-time";
import { applyToModel, type Answer, type Op } from "./ops";
import { differences } from "./snapshot";
import { modelConfig, REWARDS } from "./scenario";
import { prepareDatabase, type Fixtures } from "./system";

const BASE = process.env.MODEL_HTTP_URL;
const KEY = process.env.MODEL_HTTP_KEY;
const CRON = process.env.MODEL_HTTP_CRON_SECRET;
const DATABASE_URL = process.env.MODEL_HTTP_DATABASE_URL;
const RUNS = Number(process.env.MODEL_HTTP_RUNS ?? 30);
const STEPS = Number(process.env.MODEL_HTTP_STEPS ?? 25);
const FIELD_MATTERS = new Set(["idempotency_conflict", "unprocessable"]);

/** Commands the REST API has: no clock moves, no staff operations, no concurrency here. */
const overHttp = (c: Command) => ["advance", "streak", "adjust", "reverse", "parallel"].includes(c.c) || (c.c === "batch" && c.items.length > 4);

interface Http {
  status: number;
  body: Record<string, unknown>;
}

async function send(method: string, path: string, body?: unknown, bearer = KEY): Promise<Http> {
  const response = await fetch(`${BASE}${path}`, {
    method,
    headers: { authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) as Record<string, unknown> };
  } catch {
    return { status: response.status, body: { notJson: text.slice(0, 200) } };
  }
}

const eventBody = (e: Extract<Op, { kind: "events" }>["events"][number]) => ({
  type: e.type,
  memberExternalId: e.member,
  referenceId: e.ref,
  ...(e.amountCents !== undefined ? { amountCents: e.amountCents } : {}),
  ...(e.originalRef !== undefined ? { originalReferenceId: e.originalRef } : {}),
  ...(e.occurredAt !== undefined ? { occurredAt: e.occurredAt } : {}),
});

/** What the model expects over HTTP: the status the edge maps each answer to, and the body's fields. */
function expectedHttp(answer: EventAnswer | Extract<Answer, { kind: "balance" }>["answer"], status: (code: string) => number) {
  if (!answer.ok) return { status: status(answer.code), error: answer.code, ...(FIELD_MATTERS.has(answer.code) && answer.field ? { field: answer.field } : {}) };
  return answer;
}

class HttpSequence {
  ids = new Map<number, string>();
  constructor(
    readonly state: ModelState,
    readonly fixtures: Fixtures,
  ) {}

  key(id: unknown) {
    return typeof id === "number" ? (this.ids.get(id) ?? `?${id}`) : id === null ? null : `?${String(id)}`;
  }

  /** The system's event answer in the model's shape; a new row's id is learnt from the model's key. */
  eventOf(r: Http | { status: number; result?: Record<string, unknown>; error?: Record<string, unknown> }, expected: EventAnswer) {
    const body = "body" in r ? r.body : (r.result ?? r.error ?? {});
    if (r.status >= 400) return { status: r.status, error: body.error, ...(FIELD_MATTERS.has(String(body.error)) && body.field ? { field: body.field } : {}) };
    if (expected.ok && expected.transaction && typeof body.transactionId === "number" && !this.ids.has(body.transactionId)) this.ids.set(body.transactionId, expected.transaction);
    return {
      ok: true,
      status: r.status,
      transaction: this.key(body.transactionId),
      points: body.points,
      multiplierTt: Math.round(Number(body.multiplier) * SCALE),
      campaign: body.campaignId === null ? null : this.fixtures.campaignIndex.get(Number(body.campaignId)) ?? -1,
      duplicate: body.duplicate,
      ...(body.alreadyCheckedIn ? { alreadyCheckedIn: true } : {}),
    };
  }

  async step(op: Op, status: (code: string) => number): Promise<string[]> {
    this.state.now = Date.now();
    const expected = applyToModel(this.state, op);
    const diffs: string[] = [];
    const compare = (model: unknown, system: unknown, path: string) => diffs.push(...differences(model, system, path));
    if (op.kind === "events" && expected.kind === "events") {
      if (op.events.length === 1) {
        const r = await send("POST", "/api/v1/events", eventBody(op.events[0]!));
        const model = expected.outcomes[0]!;
        compare(expectedHttp(model, status), this.eventOf(r, model), "POST /api/v1/events");
      } else {
        const r = await send("POST", "/api/v1/events/batch", { events: op.events.map(eventBody) });
        const results = (r.body.results ?? []) as { status: number; result?: Record<string, unknown>; error?: Record<string, unknown> }[];
        compare(200, r.status, "POST /api/v1/events/batch status");
        expected.outcomes.forEach((model, i) => compare(expectedHttp(model, status), results[i] ? this.eventOf(results[i]!, model) : null, `POST /api/v1/events/batch results.${i}`));
      }
    } else if (op.kind === "redeem" && expected.kind === "balance") {
      const rewardId = op.reward === undefined ? undefined : (this.fixtures.rewardIds[op.reward] ?? 9_000_000 + op.reward);
      const r = await send("POST", `/api/v1/members/${op.member}/redemptions`, { referenceId: op.ref, ...(op.points !== undefined ? { points: op.points } : {}), ...(rewardId !== undefined ? { rewardId } : {}) });
      const model = expected.answer;
      if (model.ok && typeof r.body.transactionId === "number" && !this.ids.has(r.body.transactionId)) this.ids.set(r.body.transactionId, model.transaction);
      const got =
        r.status >= 400
          ? { status: r.status, error: r.body.error, ...(FIELD_MATTERS.has(String(r.body.error)) && r.body.field ? { field: r.body.field } : {}) }
          : { ok: true, status: r.status, transaction: this.key(r.body.transactionId), points: r.body.points, available: r.body.availablePoints, duplicate: r.body.duplicate };
      compare(model.ok ? { ...model, status: model.duplicate ? 200 : 201 } : expectedHttp(model, status), got, "POST redemptions");
    } else if (op.kind === "expire" || op.kind === "tiers") {
      const r = await send("GET", op.kind === "expire" ? "/api/cron/expire-points" : "/api/cron/recalculate-tiers", undefined, CRON);
      compare(200, r.status, `GET cron ${op.kind}`);
    }
    for (const name of this.state.members.keys()) {
      const r = await send("GET", `/api/v1/members/${name}`);
      const m = memberSummary(this.state, name);
      const b = r.body as Record<string, unknown> & { expiringSoon?: { points: number; expiresAt: string }[] };
      compare(
        { status: 200, tier: m.tier, availablePoints: m.availablePoints, totalEarned: m.totalEarned, totalRedeemed: m.totalRedeemed, tierSpend12m: m.tierSpend12m, expiringSoon: m.expiringSoon.map((e) => `${e.points}@${iso(e.expiresAt)}`) },
        { status: r.status, tier: b.tier, availablePoints: b.availablePoints, totalEarned: b.totalEarned, totalRedeemed: b.totalRedeemed, tierSpend12m: b.tierSpend12m, expiringSoon: (b.expiringSoon ?? []).map((e) => `${e.points}@${new Date(e.expiresAt).toISOString()}`) },
        `GET /api/v1/members/${name}`,
      );
    }
    return diffs;
  }
}

describe.skipIf(!BASE || !KEY || !CRON || !DATABASE_URL)("the REST API of a running server against the reference model", () => {
  let handle: DbHandle;
  let fixtures: Fixtures;
  let config: ReturnType<typeof modelConfig>;
  let status: (code: string) => number;
  let run = 0;
  beforeAll(async () => {
    handle = connectPostgres(DATABASE_URL!, { max: 2 });
    const start = Date.now();
    fixtures = await prepareDatabase(handle.db, start);
    config = modelConfig(start);
    const { ERROR_STATUS } = await import("@/lib/loyalty/errors");
    status = (code) => (ERROR_STATUS as Record<string, number>)[code] ?? -1;
  });
  afterAll(() => handle?.close());

  it(`agrees on every answer and member summary (${RUNS} sequences of up to ${STEPS} requests)`, { timeout: 24 * 60 * 60_000 }, async () => {
    let requests = 0;
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(sequenceArbitrary(STEPS, { exclude: overHttp }), async (commands) => {
        const ns = `h${run++}-${started.toString(36)}-`;
        const members = ["m0", "m1", "m2"].map((m) => `${ns}${m}`);
        for (const [i, r] of REWARDS.entries()) await handle.db.execute(sql`UPDATE rewards SET stock = ${r.stock} WHERE id = ${fixtures.rewardIds[i]!}`);
        for (const externalId of members) expect((await send("POST", "/api/v1/members", { externalId })).status).toBe(201);
        const sequence = new HttpSequence(initialState(config, Date.now(), members, ns), fixtures);
        const sent: Op[] = [];
        for (const cmd of commands) {
          for (const resolve of expand(cmd, sequence.state)) {
            const op = typeof resolve === "function" ? resolve(sequence.state, sent) : resolve;
            sent.push(op);
            requests++;
            const diffs = await sequence.step(op, status);
            if (diffs.length > 0) throw new Error([`HTTP answers disagree with the model at ${JSON.stringify(op)}:`, ...diffs.map((d) => `  ${d}`), `commands: ${JSON.stringify(commands)}`].join("\n"));
          }
        }
      }),
      { numRuns: RUNS, endOnFailure: process.env.MODEL_NO_SHRINK === "1" },
    );
    console.log(`model over HTTP: ${RUNS} sequences, ${requests} operations (each followed by 3 member reads) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
});
