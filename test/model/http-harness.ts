/**
 * The HTTP harness: the same model, generators and comparison as the differential runs, against the
 * REST API of a running server. Two callers: e2e/model-http.spec.ts in the Playwright suite (the
 * server Playwright already built and started, its database shared with the other specs) and
 * test/model/http.test.ts for long runs (test/model/http-run.mjs, a server and database of its own).
 *
 * The server reads its own clock, so the model's clock follows the wall clock (each step sets it
 * just before the request); time passes through occurredAt dated back instead of clock moves, and
 * staff operations (adjustments, reversals) have no REST route and are left out. Every answer is
 * compared (status code, body), then every member's GET /api/v1/members/{externalId}. Sequences
 * share the database, so each has its own members and references (ModelState.ns); the job routes'
 * summaries count every member of the database and only their status is compared, their effect
 * through the member summaries.
 *
 * The model's world is read from the database it runs against (programme settings, tiers,
 * campaigns in id order), so a database seeded by someone else (the end-to-end suite's demo data)
 * works as well as one prepared by prepareDatabase; the rewards are the scenario's own, created
 * here with a prefix when the database is shared, and their stock put back before each sequence.
 */
import fc from "fast-check";
import { asc, inArray, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { campaigns, rewards } from "@/db/schema";
import { ERROR_STATUS } from "@/lib/loyalty/errors";
import { getProgramSettings, getTiers } from "@/lib/loyalty/program/get-program-settings";
import { expand, sequenceArbitrary, type Command } from "./commands";
import { memberSummary, type EventAnswer } from "./ledger-model";
import { initialState, SCALE, type EarnType, type ModelConfig, type ModelState, type TierCode } from "./model-state";
import { iso } from "./model-time";
import { applyToModel, type Op } from "./ops";
import { REWARDS } from "./scenario";
import { comparableCode, differences } from "./snapshot";
import { readEarningConfig } from "./earning-world";
import { createModelRewards, prepareDatabase, resetRewards, type Fixtures } from "./system";
import type { HoldAnswer } from "./checkout-model";

const FIELD_MATTERS = new Set(["idempotency_conflict", "unprocessable"]);
const statusOf = (code: string) => (ERROR_STATUS as Record<string, number>)[code] ?? -1;

/**
 * Commands left out over HTTP: clock moves (a checkout's wait too), staff operations, concurrency;
 * and the 60-second hold, which the server's clock and the model's could judge on either side of its end.
 */
export const overHttp = (c: Command) =>
  ["advance", "streak", "adjust", "reverse", "parallel"].includes(c.c) ||
  (c.c === "batch" && c.items.length > 4) ||
  (c.c === "checkout" && c.waitMs > 0) ||
  (c.c === "vest" && c.wait === true) ||
  ((c.c === "hold" || c.c === "checkout") && c.ttl === 60);

export interface HttpTarget {
  /** e.g. http://localhost:3917 */
  base: string;
  /** An API key with the scopes events:write, members:read, members:write, redemptions:write, program:write. */
  key: string;
  /** The server's CRON_SECRET. */
  cron: string;
}

export interface HttpRunOptions {
  runs: number;
  steps: number;
  seed: number;
  /** The database is shared with other tests: create the rewards under a prefix, touch nothing else. */
  shared: boolean;
  noShrink?: boolean;
}

export interface HttpRunStats {
  sequences: number;
  requests: number;
  memberReads: number;
  ops: Record<string, number>;
  seconds: number;
}

interface Http {
  status: number;
  body: Record<string, unknown>;
}

/** The model's configuration as the database holds it: settings, tiers, campaigns (lowest id first), and the given rewards. */
export async function readModelConfig(db: Db, rewardIds: readonly number[]): Promise<{ config: ModelConfig; campaignIds: number[] }> {
  const [settings, tiers, campaignRows, rewardRows] = await Promise.all([
    getProgramSettings(db),
    getTiers(db),
    db.select().from(campaigns).orderBy(asc(campaigns.id)),
    rewardIds.length === 0
      ? Promise.resolve([])
      : db
          .select()
          .from(rewards)
          .where(inArray(rewards.id, [...rewardIds])),
  ]);
  const rewardById = new Map(rewardRows.map((r) => [r.id, r]));
  const earning = await readEarningConfig(db);
  const tt = (multiplier: number) => Math.round(Number(multiplier) * SCALE);
  return {
    campaignIds: campaignRows.map((c) => c.id),
    config: {
      pointsPerCurrencyUnit: settings.pointsPerCurrencyUnit,
      referralPoints: settings.referralPoints,
      reviewPoints: settings.reviewPoints,
      loginPoints: settings.loginPoints,
      loginStreakBonusPoints: settings.loginStreakBonusPoints,
      loginStreakLength: settings.loginStreakLength,
      expiryMonths: settings.expiryMonths,
      tierQualificationMonths: settings.tierQualificationMonths,
      tierGraceDays: settings.tierGraceDays,
      tiers: tiers.map((t) => ({ code: t.code as TierCode, minSpend12m: t.minSpend12m, multiplierTt: tt(t.earnMultiplier) })),
      ...earning,
      campaigns: campaignRows.map((c) => ({
        multiplierTt: tt(c.multiplier),
        startsAt: c.startsAt.getTime(),
        endsAt: c.endsAt.getTime(),
        eventTypes: c.eventTypes as EarnType[],
        tiers: c.tiers as TierCode[],
        categories: c.categories,
        channels: c.channels,
        // An archived campaign is as dead as a paused one (campaign-lookup.ts reads neither).
        paused: c.pausedAt !== null || c.archivedAt !== null,
      })),
      holdTtlSeconds: settings.holdTtlSeconds,
      transferMaxPoints: settings.transferMaxPoints,
      transferDailyMaxPoints: settings.transferDailyMaxPoints,
      // The pool is the scenario's (REWARDS), uploaded again before each sequence under its namespace.
      rewards: rewardIds.map((id, i) => {
        const r = rewardById.get(id)!;
        return { cost: r.pointsCost, stock: r.stock, active: r.active, kind: r.kind, codes: REWARDS[i]?.codes ?? [], prefix: r.codePrefix };
      }),
    },
  };
}

class HttpSequence {
  ids = new Map<number, string>();
  holdKeys = new Map<number, string>();
  holdIds = new Map<string, number>();
  constructor(
    readonly target: HttpTarget,
    readonly state: ModelState,
    readonly fixtures: Fixtures,
    readonly stats: HttpRunStats,
  ) {}

  async send(method: string, path: string, body?: unknown, bearer = this.target.key): Promise<Http> {
    this.stats.requests++;
    const response = await fetch(`${this.target.base}${path}`, {
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

  key(id: unknown) {
    return typeof id === "number" ? (this.ids.get(id) ?? `?${id}`) : id === null ? null : `?${String(id)}`;
  }

  /** A refusal as the model expects it over HTTP: the status the edge maps its code to, the code, the field where it matters. */
  static refusal(answer: { code: string; field?: string }) {
    return { status: statusOf(answer.code), error: answer.code, ...(FIELD_MATTERS.has(answer.code) && answer.field ? { field: answer.field } : {}) };
  }

  static refusalOf(r: { status: number; body: Record<string, unknown> }) {
    return { status: r.status, error: r.body.error, ...(FIELD_MATTERS.has(String(r.body.error)) && r.body.field ? { field: r.body.field } : {}) };
  }

  /** The system's event answer in the model's shape; a new row's id is learnt from the model's key. */
  eventOf(r: { status: number; body: Record<string, unknown> }, expected: EventAnswer) {
    const body = r.body;
    if (r.status >= 400) return HttpSequence.refusalOf(r);
    if (expected.ok && expected.transaction && typeof body.transactionId === "number" && !this.ids.has(body.transactionId))
      this.ids.set(body.transactionId, expected.transaction);
    return {
      ok: true,
      status: r.status,
      transaction: this.key(body.transactionId),
      points: body.points,
      multiplierTt: Math.round(Number(body.multiplier) * SCALE),
      campaign: body.campaignId === null ? null : (this.fixtures.campaignIndex.get(Number(body.campaignId)) ?? -1),
      duplicate: body.duplicate,
      ...(body.alreadyCheckedIn ? { alreadyCheckedIn: true } : {}),
    };
  }

  /** A hold, capture or void: the hold's id is learnt from the first answer that names it. */
  async holdStep(op: Extract<Op, { kind: "hold" | "capture" | "void" }>, model: HoldAnswer, compare: (model: unknown, system: unknown, path: string) => void) {
    const holdId = op.kind === "hold" ? undefined : ((op.hold === null ? undefined : this.holdIds.get(op.hold)) ?? 9_000_000_000);
    const path = op.kind === "hold" ? `/api/v1/members/${op.member}/holds` : `/api/v1/holds/${holdId}/${op.kind}`;
    const body =
      op.kind === "hold"
        ? { referenceId: op.ref, points: op.points, ...(op.ttlSeconds !== undefined ? { ttlSeconds: op.ttlSeconds } : {}) }
        : op.kind === "capture"
          ? { referenceId: op.ref, ...(op.points !== undefined ? { points: op.points } : {}) }
          : {};
    const r = await this.send("POST", path, body);
    const b = r.body;
    if (model.ok && op.kind === "hold" && !model.duplicate && typeof b.expiresAt === "string") {
      // The server set expires_at from its own clock, a few milliseconds after the model's: within
      // [sent, answered] + ttl it is the model's hold, which takes the server's instant from here on.
      const first = model;
      const ttl = first.expiresAt - this.state.now;
      const at = Date.parse(b.expiresAt);
      const hold = this.state.holds.find((h) => h.key === first.hold);
      if (hold && at >= this.state.now + ttl && at <= Date.now() + ttl) {
        hold.expiresAt = at;
        model = { ...first, expiresAt: at };
      }
    }
    if (model.ok) {
      if (typeof b.holdId === "number" && !this.holdKeys.has(b.holdId)) {
        this.holdKeys.set(b.holdId, model.hold);
        this.holdIds.set(model.hold, b.holdId);
      }
      if (model.transaction && typeof b.transactionId === "number" && !this.ids.has(b.transactionId)) this.ids.set(b.transactionId, model.transaction);
    }
    const got =
      r.status >= 400
        ? HttpSequence.refusalOf(r)
        : {
            ok: true,
            status: r.status,
            hold: typeof b.holdId === "number" ? (this.holdKeys.get(b.holdId) ?? `?${b.holdId}`) : b.holdId,
            points: b.points,
            expiresAt: typeof b.expiresAt === "string" ? iso(Date.parse(b.expiresAt)) : b.expiresAt,
            state: b.state,
            available: b.availablePoints,
            duplicate: b.duplicate,
            ...(b.transactionId !== undefined
              ? { transaction: this.key(b.transactionId), capturedPoints: b.capturedPoints, releasedPoints: b.releasedPoints }
              : {}),
          };
    // 201 for a new hold or capture, 200 for a replay and for a void (the route's answers).
    const created = op.kind !== "void" && model.ok && !model.duplicate;
    compare(model.ok ? { ...model, status: created ? 201 : 200, expiresAt: iso(model.expiresAt) } : HttpSequence.refusal(model), got, `POST ${op.kind}`);
  }

  async step(op: Op): Promise<string[]> {
    this.state.now = Date.now();
    const expected = applyToModel(this.state, op);
    const diffs: string[] = [];
    const compare = (model: unknown, system: unknown, path: string) => diffs.push(...differences(model, system, path));
    const expectedEvent = (model: EventAnswer) => (model.ok ? model : HttpSequence.refusal(model));
    if (op.kind === "events" && expected.kind === "events") {
      if (op.events.length === 1) {
        const r = await this.send("POST", "/api/v1/events", eventBody(op.events[0]!));
        const model = expected.outcomes[0]!;
        compare(expectedEvent(model), this.eventOf(r, model), "POST /api/v1/events");
      } else {
        const r = await this.send("POST", "/api/v1/events/batch", { events: op.events.map(eventBody) });
        const results = (r.body.results ?? []) as { status: number; result?: Record<string, unknown>; error?: Record<string, unknown> }[];
        compare(200, r.status, "POST /api/v1/events/batch status");
        expected.outcomes.forEach((model, i) => {
          const got = results[i];
          compare(
            expectedEvent(model),
            got ? this.eventOf({ status: got.status, body: got.result ?? got.error ?? {} }, model) : null,
            `POST /api/v1/events/batch results.${i}`,
          );
        });
      }
    } else if (op.kind === "redeem" && expected.kind === "balance") {
      const rewardId = op.reward === undefined ? undefined : (this.fixtures.rewardIds[op.reward] ?? 9_000_000 + op.reward);
      const r = await this.send("POST", `/api/v1/members/${op.member}/redemptions`, {
        referenceId: op.ref,
        ...(op.points !== undefined ? { points: op.points } : {}),
        ...(rewardId !== undefined ? { rewardId } : {}),
      });
      const model = expected.answer;
      if (model.ok && typeof r.body.transactionId === "number" && !this.ids.has(r.body.transactionId)) this.ids.set(r.body.transactionId, model.transaction);
      const got =
        r.status >= 400
          ? HttpSequence.refusalOf(r)
          : {
              ok: true,
              status: r.status,
              transaction: this.key(r.body.transactionId),
              points: r.body.points,
              available: r.body.availablePoints,
              duplicate: r.body.duplicate,
              ...(r.body.couponCode !== undefined
                ? { couponCode: typeof r.body.couponCode === "string" ? comparableCode(r.body.couponCode) : r.body.couponCode }
                : {}),
            };
      compare(model.ok ? { ...model, status: model.duplicate ? 200 : 201 } : HttpSequence.refusal(model), got, "POST redemptions");
    } else if ((op.kind === "hold" || op.kind === "capture" || op.kind === "void") && expected.kind === "hold") {
      await this.holdStep(op, expected.answer, compare);
    } else if (op.kind === "transfer" && expected.kind === "transfer") {
      const r = await this.send("POST", `/api/v1/members/${op.from}/transfers`, { toMemberExternalId: op.to, points: op.points, referenceId: op.ref });
      const model = expected.answer;
      if (model.ok && typeof r.body.transactionId === "number" && !this.ids.has(r.body.transactionId)) this.ids.set(r.body.transactionId, model.transaction);
      const got =
        r.status >= 400
          ? HttpSequence.refusalOf(r)
          : {
              ok: true,
              status: r.status,
              transaction: this.key(r.body.transactionId),
              points: r.body.points,
              to: r.body.toMemberExternalId,
              available: r.body.availablePoints,
              duplicate: r.body.duplicate,
            };
      compare(model.ok ? { ...model, status: model.duplicate ? 200 : 201 } : HttpSequence.refusal(model), got, "POST transfers");
    } else if (op.kind === "pending") {
      const r = await this.send("PATCH", "/api/v1/program", { pendingDays: op.days });
      compare({ status: 200, pendingDays: op.days }, { status: r.status, pendingDays: r.body.pendingDays }, "PATCH /api/v1/program");
    } else if (op.kind === "expire" || op.kind === "tiers" || op.kind === "vest") {
      const route = { expire: "expire-points", tiers: "recalculate-tiers", vest: "vest-points" }[op.kind];
      const r = await this.send("GET", `/api/cron/${route}`, undefined, this.target.cron);
      compare(200, r.status, `GET cron ${op.kind}`);
    } else {
      throw new Error(`no REST call for ${JSON.stringify(op)}`);
    }
    for (const name of this.state.members.keys()) {
      const r = await this.send("GET", `/api/v1/members/${name}`);
      this.stats.memberReads++;
      const m = memberSummary(this.state, name);
      const b = r.body as Record<string, unknown> & { expiringSoon?: { points: number; expiresAt: string }[] };
      compare(
        {
          status: 200,
          tier: m.tier,
          availablePoints: m.availablePoints,
          heldPoints: m.heldPoints,
          pendingPoints: m.pendingPoints,
          totalEarned: m.totalEarned,
          totalRedeemed: m.totalRedeemed,
          tierSpend12m: m.tierSpend12m,
          expiringSoon: m.expiringSoon.map((e) => `${e.points}@${iso(e.expiresAt)}`),
        },
        {
          status: r.status,
          tier: b.tier,
          availablePoints: b.availablePoints,
          heldPoints: b.heldPoints,
          pendingPoints: b.pendingPoints,
          totalEarned: b.totalEarned,
          totalRedeemed: b.totalRedeemed,
          tierSpend12m: b.tierSpend12m,
          expiringSoon: (b.expiringSoon ?? []).map((e) => `${e.points}@${new Date(e.expiresAt).toISOString()}`),
        },
        `GET /api/v1/members/${name}`,
      );
    }
    return diffs;
  }
}

const eventBody = (e: Extract<Op, { kind: "events" }>["events"][number]) => ({
  type: e.type,
  memberExternalId: e.member,
  referenceId: e.ref,
  ...(e.amountCents !== undefined ? { amountCents: e.amountCents } : {}),
  ...(e.originalRef !== undefined ? { originalReferenceId: e.originalRef } : {}),
  ...(e.occurredAt !== undefined ? { occurredAt: e.occurredAt } : {}),
  ...(e.items !== undefined ? { items: e.items } : {}),
  ...(e.channel !== undefined ? { channel: e.channel } : {}),
});

/** The fixtures and the model's configuration for a run against `db`. */
async function httpWorld(db: Db, shared: boolean, started: number): Promise<{ fixtures: Fixtures; config: ModelConfig }> {
  const rewardIds = shared
    ? await createModelRewards(db, new Date(started), `Model ${started.toString(36)}: `)
    : (await prepareDatabase(db, started)).rewardIds;
  const { config, campaignIds } = await readModelConfig(db, rewardIds);
  return {
    config,
    fixtures: {
      campaignIds,
      campaignIndex: new Map(campaignIds.map((id, i) => [id, i])),
      rewardIds,
      rewardIndex: new Map(rewardIds.map((id, i) => [id, i])),
    },
  };
}

/**
 * Runs `runs` generated sequences of up to `steps` requests against the server; throws at the first
 * disagreement with a report naming the request, each differing path and the (shrunk) commands.
 */
export async function runHttpModel(db: Db, target: HttpTarget, options: HttpRunOptions): Promise<HttpRunStats> {
  const started = Date.now();
  const stats: HttpRunStats = { sequences: 0, requests: 0, memberReads: 0, ops: {}, seconds: 0 };
  const { fixtures, config } = await httpWorld(db, options.shared, started);
  const { pendingDays } = await getProgramSettings(db);
  await fc.assert(
    fc.asyncProperty(sequenceArbitrary(options.steps, { exclude: overHttp }), async (commands) => {
      const ns = `h${stats.sequences++}-${started.toString(36)}-`;
      const members = ["m0", "m1", "m2"].map((m) => `${ns}${m}`);
      await resetRewards(db, fixtures.rewardIds, ns);
      const sequence = new HttpSequence(target, { ...initialState(config, Date.now(), members, ns), pendingDays }, fixtures, stats);
      for (const externalId of members) {
        const r = await sequence.send("POST", "/api/v1/members", { externalId });
        if (r.status !== 201) throw new Error(`POST /api/v1/members ${externalId}: ${r.status} ${JSON.stringify(r.body)}`);
      }
      const sent: Op[] = [];
      try {
        for (const cmd of commands) {
          for (const resolve of expand(cmd, sequence.state)) {
            const op = typeof resolve === "function" ? resolve(sequence.state, sent) : resolve;
            sent.push(op);
            const kind = op.kind !== "events" ? op.kind : op.events.length === 1 ? op.events[0]!.type : "batch";
            stats.ops[kind] = (stats.ops[kind] ?? 0) + 1;
            const diffs = await sequence.step(op);
            if (diffs.length > 0) {
              throw new Error(
                [`HTTP answers disagree with the model at ${JSON.stringify(op)}:`, ...diffs.map((d) => `  ${d}`), `commands: ${JSON.stringify(commands)}`].join(
                  "\n",
                ),
              );
            }
          }
        }
      } finally {
        // The return window is the whole programme's: put it back for the next sequence and, in the
        // suite's database, for the other specs.
        if (sequence.state.pendingDays !== pendingDays) await db.execute(sql`UPDATE program_settings SET pending_days = ${pendingDays} WHERE id = 1`);
      }
    }),
    { numRuns: options.runs, seed: options.seed, endOnFailure: options.noShrink ?? false },
  );
  stats.seconds = (Date.now() - started) / 1000;
  return stats;
}
