/**
 * Runs one sequence of commands against the model and the system side by side and compares, after
 * every step, every answer and the whole comparable state (snapshot.ts). The first difference ends
 * the run with a report naming the step, the operation and each differing path.
 */
import type { Db } from "@/db/client";
import type { EventAnswer } from "./ledger-model";
import { initialState, SCALE, type ModelState } from "./model-state";
import { expand, resolve, type Command } from "./commands";
import { tagsAfter, tagsBefore } from "./coverage";
import { applyToModel, type Answer, type Op } from "./ops";
import { MEMBERS, MODEL_CONFIG, START } from "./scenario";
import { comparableCode, differences, modelSnapshot, systemSnapshot, type Ids } from "./snapshot";
import { applyToSystem, startWorld, type Fixtures, type RawAnswer, type World } from "./system";

/** Codes whose `field` the document names; elsewhere only the code is compared. */
const FIELD_MATTERS = new Set(["idempotency_conflict", "unprocessable"]);

function comparable<T extends { ok: boolean }>(answer: T): T {
  if (answer.ok) return answer;
  const r = answer as unknown as { ok: false; code: string; field?: string };
  return { ok: false, code: r.code, ...(FIELD_MATTERS.has(r.code) && r.field ? { field: r.field } : {}) } as unknown as T;
}

export function normalize(raw: RawAnswer, ids: Ids, world: World): Answer {
  const key = (id: number | null) => (id === null ? null : (ids.keyOf.get(id) ?? `?${id}`));
  switch (raw.kind) {
    case "events":
      return {
        kind: "events",
        outcomes: raw.outcomes.map((o): EventAnswer => {
          if (!o.ok) return { ok: false, code: o.error.error, ...(o.error.field ? { field: o.error.field } : {}) };
          const r = o.result;
          return {
            ok: true,
            status: o.status,
            transaction: key(r.transactionId),
            points: r.points,
            multiplierTt: Math.round(r.multiplier * SCALE),
            campaign: r.campaignId === null ? null : (world.campaignIndex.get(r.campaignId) ?? -1),
            duplicate: r.duplicate,
            ...(r.alreadyCheckedIn ? { alreadyCheckedIn: true as const } : {}),
          };
        }),
      };
    case "balance": {
      const r = raw.result;
      return {
        kind: "balance",
        answer: {
          ok: true,
          transaction: key(r.transactionId)!,
          points: r.points,
          available: r.availablePoints,
          duplicate: r.duplicate,
          ...(r.couponCode ? { couponCode: comparableCode(r.couponCode) } : {}),
        },
      };
    }
    case "hold": {
      const r = raw.result;
      return {
        kind: "hold",
        answer: {
          ok: true,
          hold: ids.holdKeyOf.get(r.holdId) ?? `?${r.holdId}`,
          points: r.points,
          expiresAt: r.expiresAt.getTime(),
          state: r.state,
          available: r.availablePoints,
          duplicate: r.duplicate,
          ...(r.transactionId !== undefined ? { transaction: key(r.transactionId)!, capturedPoints: r.capturedPoints, releasedPoints: r.releasedPoints } : {}),
        },
      };
    }
    case "transfer": {
      const r = raw.result;
      return {
        kind: "transfer",
        answer: {
          ok: true,
          transaction: key(r.transactionId)!,
          points: r.points,
          to: r.toMemberExternalId,
          available: r.availablePoints,
          duplicate: r.duplicate,
        },
      };
    }
    case "reverse": {
      const r = raw.result;
      return {
        kind: "reverse",
        answer: {
          ok: true,
          transaction: key(r.transactionId)!,
          reversed: key(r.reversedTransactionId)!,
          points: r.points,
          available: r.availablePoints,
          duplicate: r.duplicate,
        },
      };
    }
    case "refused": {
      const answer = { ok: false as const, code: raw.code, ...(raw.field ? { field: raw.field } : {}) };
      return { kind: raw.as, answer } as Answer;
    }
    default:
      return raw;
  }
}

function comparableAnswer(a: Answer): Answer {
  if (a.kind === "events") return { kind: "events", outcomes: a.outcomes.map(comparable) };
  if (a.kind === "balance") return { kind: "balance", answer: comparable(a.answer) };
  if (a.kind === "reverse") return { kind: "reverse", answer: comparable(a.answer) };
  if (a.kind === "hold") return { kind: "hold", answer: comparable(a.answer) };
  if (a.kind === "transfer") return { kind: "transfer", answer: comparable(a.answer) };
  return a;
}

/** The system's id of a row key or (`hold:…`) a hold key. */
const idOf = (ids: Ids, key: string) => (key.startsWith("hold:") ? ids.holdIdOf.get(key) : ids.idOf.get(key));

export interface StepFailure {
  step: number;
  op: Op;
  differences: string[];
}

export interface RunStats {
  steps: number;
  ops: Record<string, number>;
  /** Steps left out by `exclude`, per finding. */
  skipped?: Record<string, number>;
  /** Steps per interesting combination reached (coverage.ts). */
  reached?: Record<string, number>;
}

/**
 * Leaves out an operation known to disagree (returns the finding's name), so the rest of a run is
 * still exercised while the fix is under way. Each use carries a TODO naming the finding.
 */
export type Exclude = (op: Op, state: ModelState) => string | null;

export class Sequence {
  state: ModelState;
  ids: Ids = { keyOf: new Map(), idOf: new Map(), holdKeyOf: new Map(), holdIdOf: new Map() };
  sent: Op[] = [];
  step = 0;
  private constructor(
    readonly db: Db,
    readonly world: World,
    readonly parallel?: readonly Db[],
  ) {
    this.state = initialState(MODEL_CONFIG, START, MEMBERS);
  }

  /** `parallel`: the connection pools a parallel group's operations are issued from. */
  static async start(db: Db, fixtures: Fixtures, parallel?: readonly Db[]): Promise<Sequence> {
    return new Sequence(db, await startWorld(db, fixtures), parallel);
  }

  /** Applies one command to both sides; returns the differences (empty when they agree). */
  async run(cmd: Command, stats?: RunStats, exclude?: Exclude): Promise<StepFailure | null> {
    if (cmd.c === "parallel") {
      if (!this.parallel) throw new Error("a parallel group needs Sequence.start(db, fixtures, pools)");
      const ops = cmd.items.filter((i) => i.c !== "streak" && i.c !== "checkout" && i.c !== "parallel").map((i) => resolve(i, this.state, this.sent));
      const kept = exclude ? ops.filter((op) => !exclude(op, this.state)) : ops;
      return kept.length === 0 ? null : runParallel(this, kept, this.parallel, stats);
    }
    for (const op of expand(cmd, this.state)) {
      const failure = await this.runOp(op, stats, exclude);
      if (failure) return failure;
    }
    return null;
  }

  private async runOp(resolved: Op | ((state: ModelState, sent: readonly Op[]) => Op), stats?: RunStats, exclude?: Exclude): Promise<StepFailure | null> {
    const op = typeof resolved === "function" ? resolved(this.state, this.sent) : resolved;
    const excluded = exclude?.(op, this.state);
    if (excluded) {
      if (stats) (stats.skipped ??= {})[excluded] = (stats.skipped[excluded] ?? 0) + 1;
      return null;
    }
    this.sent.push(op);
    const before = stats ? tagsBefore(op, this.state) : [];
    const raw = await applyToSystem(this.db, this.world, op, this.state.now, (k) => idOf(this.ids, k));
    const expected = applyToModel(this.state, op);
    if (stats) {
      stats.reached ??= {};
      for (const tag of new Set([...before, ...tagsAfter(op, expected, this.state)])) stats.reached[tag] = (stats.reached[tag] ?? 0) + 1;
    }
    if (stats) {
      stats.steps++;
      const kind = op.kind !== "events" ? op.kind : op.events.length === 1 ? op.events[0]!.type : "batch";
      stats.ops[kind] = (stats.ops[kind] ?? 0) + 1;
    }
    const observed = await this.observe();
    const diffs = this.differences([expected], [raw], observed);
    const step = this.step++;
    return diffs.length === 0 ? null : { step, op, differences: diffs };
  }

  /** Reads the system's state (and its ids, for the next steps). */
  async observe(): Promise<Awaited<ReturnType<typeof systemSnapshot>>> {
    const observed = await systemSnapshot(this.db, this.world, this.state.now);
    this.ids = observed.ids;
    return observed;
  }

  /** The differences between the model's answers and state and the system's. */
  differences(expected: Answer[], raw: RawAnswer[], observed: Awaited<ReturnType<typeof systemSnapshot>>): string[] {
    const got = raw.map((r) => comparableAnswer(normalize(r, observed.ids, this.world)));
    return [...differences(expected.map(comparableAnswer), got, "answer"), ...differences(modelSnapshot(this.state), observed.snapshot, "state")];
  }
}

/** Every order of 0..n-1 (n ≤ 4 here: at most 24). */
export function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  return permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]));
}

/**
 * Issues the operations at once, each on its own connection pool, and accepts the outcome if SOME
 * serial order of them, applied to the model, gives the same answers and the same final state
 * (the model then continues from that order). An operation that neither answers nor is refused
 * within `hangMs` (a deadlock, a lost lock) fails the step.
 */
export async function runParallel(sequence: Sequence, ops: Op[], dbs: readonly Db[], stats?: RunStats, hangMs = 30_000): Promise<StepFailure | null> {
  const now = sequence.state.now;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${hangMs} ms: deadlock or hang`)), hangMs);
  });
  let raw: RawAnswer[];
  try {
    raw = await Promise.race([
      Promise.all(ops.map((op, i) => applyToSystem(dbs[i % dbs.length]!, sequence.world, op, now, (k) => idOf(sequence.ids, k)))),
      hang,
    ]);
  } catch (error) {
    return { step: sequence.step++, op: ops[0]!, differences: [`parallel ${JSON.stringify(ops)}: ${String(error)}`] };
  } finally {
    clearTimeout(timer);
  }
  const observed = await sequence.observe();
  const step = sequence.step++;
  const start = sequence.state;
  let closest: string[] | null = null;
  for (const order of permutations(ops.length)) {
    sequence.state = structuredClone(start);
    const answers: Answer[] = new Array(ops.length);
    for (const i of order) answers[i] = applyToModel(sequence.state, ops[i]!);
    const diffs = sequence.differences(answers, raw, observed);
    if (diffs.length === 0) {
      if (stats) {
        stats.steps++;
        stats.ops[`parallel(${ops.length})`] = (stats.ops[`parallel(${ops.length})`] ?? 0) + 1;
      }
      sequence.sent.push(...ops);
      return null;
    }
    if (!closest || diffs.length < closest.length) closest = diffs;
  }
  sequence.state = start;
  return { step, op: ops[0]!, differences: [`no serial order of ${JSON.stringify(ops)} explains the outcome; the closest:`, ...closest!] };
}

/** Runs a whole sequence; throws with a readable report at the first difference. */
export async function runSequence(
  db: Db,
  fixtures: Fixtures,
  commands: readonly Command[],
  options: { stats?: RunStats; exclude?: Exclude; parallel?: readonly Db[] } = {},
): Promise<Sequence> {
  const { stats, exclude } = options;
  const sequence = await Sequence.start(db, fixtures, options.parallel);
  for (const cmd of commands) {
    const failure = await sequence.run(cmd, stats, exclude);
    if (failure) throw new Error(describeFailure(failure, commands));
  }
  return sequence;
}

export function describeFailure(f: StepFailure, commands: readonly Command[]): string {
  return [
    `model and system disagree at step ${f.step} (${JSON.stringify(f.op)}):`,
    ...f.differences.slice(0, 20).map((d) => `  ${d}`),
    `commands: ${JSON.stringify(commands)}`,
  ].join("\n");
}
