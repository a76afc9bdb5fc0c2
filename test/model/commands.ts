/**
 * Abstract commands (what fast-check generates and shrinks, and what the seeds file stores as JSON)
 * and their resolution against the model's state into concrete operations. A command names what it
 * acts on by position ("the 3rd purchase so far", modulo how many there are), so a shrunk sequence
 * still means something when the commands before it are gone.
 */
import fc from "fast-check";
import type { EventInput } from "./ledger-model";
import type { ModelState } from "./model-state";
import { DAY, HOUR, MINUTE, iso } from "./model-time";
import type { Op } from "./ops";
import type { ModelLine } from "./earning-model";
import { CATALOG, CHANNELS, GHOST } from "./scenario";

type EventCommand =
  | { c: "purchase"; m: number; ref: number; cents: number; back?: number; lines?: { s: number; w: number }[]; ch?: number }
  | { c: "refund"; pick: number; ref: number; share: number; rest?: boolean; other?: boolean; back?: number; byLines?: boolean }
  | { c: "referral" | "review"; m: number; ref: number; back?: number }
  | { c: "login"; m: number; ref: number; back?: number }
  | { c: "future"; m: number; ref: number; minutes: number };

export type Command =
  | EventCommand
  | { c: "batch"; items: EventCommand[] }
  | { c: "redeem"; m: number; ref: number; points?: number; reward?: number }
  | { c: "adjust"; m: number; ref: number; points: number; neg: boolean; reason: number }
  | { c: "reverse"; pick: number; caller?: number; unknown?: boolean }
  | { c: "replay"; pick: number; change: "none" | "format" | "amount" | "occurredAt" | "points" | "reason" | "neg" | "member" }
  | { c: "expire" }
  | { c: "tiers" }
  | { c: "advance"; ms: number }
  /** Issued at once from several connections (concurrency.test.ts); each item resolved before the group. */
  | { c: "parallel"; items: Command[] }
  /** Daily logins of one member: `days` logins a day apart, the day `gap` (if any) left out. */
  | { c: "streak"; m: number; days: number; gap?: number };

/** The generator's knobs: tests may leave out a combination known to be broken (with a TODO naming the finding). */
export interface GeneratorOptions {
  exclude?: (c: Command) => boolean;
}

/** Skewed towards m0, so one member's history gets long; 3 is an external id no member has. */
const member = fc.oneof(
  { weight: 6, arbitrary: fc.constant(0) },
  { weight: 4, arbitrary: fc.constant(1) },
  { weight: 2, arbitrary: fc.constant(2) },
  { weight: 1, arbitrary: fc.constant(3) },
);
const cents = fc.oneof(
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 99 }) },
  { weight: 5, arbitrary: fc.integer({ min: 100, max: 20_000 }) },
  { weight: 3, arbitrary: fc.integer({ min: 20_000, max: 150_000 }) },
);
/** Days back from now: mostly none, sometimes beyond the 12 months (points born already expired). */
const back = fc.option(fc.oneof(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 330, max: 420 }), fc.integer({ min: 360, max: 400 })), { nil: undefined, freq: 2 });

/** true about one time in twelve. */
const rarely = fc.oneof({ weight: 11, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) });

const eventCommand: fc.Arbitrary<EventCommand> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ c: fc.constant("purchase" as const), m: member, ref: fc.nat(11), cents, back }, { requiredKeys: ["c", "m", "ref", "cents"] }) },
  // § Earning rules and caps: order lines from the catalog (cents split by weight) and a channel.
  {
    weight: 3,
    arbitrary: fc.record(
      { c: fc.constant("purchase" as const), m: member, ref: fc.nat(11), cents, back, lines: fc.array(fc.record({ s: fc.nat(CATALOG.length - 1), w: fc.integer({ min: 0, max: 5 }) }), { minLength: 1, maxLength: 4 }), ch: fc.nat(CHANNELS.length) },
      { requiredKeys: ["c", "m", "ref", "cents", "lines"] },
    ),
  },
  {
    weight: 5,
    arbitrary: fc.record(
      {
        c: fc.constant("refund" as const),
        pick: fc.nat(),
        ref: fc.nat(11),
        share: fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1001, max: 1200 })),
        rest: fc.boolean(),
        other: rarely,
        back: fc.integer({ min: 1, max: 30 }),
        byLines: fc.boolean(),
      },
      { requiredKeys: ["c", "pick", "ref", "share"] },
    ),
  },
  { weight: 1, arbitrary: fc.record({ c: fc.constantFrom("referral" as const, "review" as const), m: member, ref: fc.nat(5), back }, { requiredKeys: ["c", "m", "ref"] }) },
  { weight: 3, arbitrary: fc.record({ c: fc.constant("login" as const), m: member, ref: fc.nat(40), back: fc.integer({ min: 1, max: 3 }) }, { requiredKeys: ["c", "m", "ref"] }) },
  { weight: 1, arbitrary: fc.record({ c: fc.constant("future" as const), m: member, ref: fc.nat(11), minutes: fc.constantFrom(2, 4, 6, 60) }) },
);

const advanceMs = fc.constantFrom(HOUR, 6 * HOUR, DAY, DAY, DAY, DAY, 2 * DAY, 7 * DAY, 29 * DAY, 200 * DAY, 400 * DAY);

export function commandArbitrary(options: GeneratorOptions = {}): fc.Arbitrary<Command> {
  const arb: fc.Arbitrary<Command> = fc.oneof(
    { weight: 14, arbitrary: eventCommand },
    { weight: 1, arbitrary: fc.record({ c: fc.constant("batch" as const), items: fc.array(eventCommand, { minLength: 2, maxLength: 4 }) }) },
    {
      weight: 4,
      arbitrary: fc.oneof(
        fc.record({ c: fc.constant("redeem" as const), m: member, ref: fc.nat(8), points: fc.oneof(fc.integer({ min: 1, max: 400 }), fc.constant(0)) }),
        fc.record({ c: fc.constant("redeem" as const), m: member, ref: fc.nat(8), reward: fc.nat(4) }),
        // The scarce rewards, until their stock runs out.
        fc.record({ c: fc.constant("redeem" as const), m: member, ref: fc.nat(8), reward: fc.constantFrom(0, 0, 2) }),
        fc.record({ c: fc.constant("redeem" as const), m: member, ref: fc.nat(8), reward: fc.nat(3), points: fc.constantFrom(10, 30, 40, 300) }),
      ),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        c: fc.constant("adjust" as const),
        m: member,
        ref: fc.nat(8),
        points: fc.integer({ min: -400, max: 400 }).filter((p) => p !== 0),
        neg: fc.boolean(),
        reason: fc.nat(1),
      }),
    },
    { weight: 3, arbitrary: fc.record({ c: fc.constant("reverse" as const), pick: fc.nat(), caller: fc.nat(2), unknown: rarely }, { requiredKeys: ["c", "pick"] }) },
    {
      weight: 3,
      arbitrary: fc.record({
        c: fc.constant("replay" as const),
        pick: fc.nat(),
        change: fc.constantFrom("none", "none", "none", "format", "amount", "occurredAt", "points", "reason", "neg", "member") as fc.Arbitrary<
          Extract<Command, { c: "replay" }>["change"]
        >,
      }),
    },
    { weight: 3, arbitrary: fc.constant({ c: "expire" as const }) },
    { weight: 2, arbitrary: fc.constant({ c: "tiers" as const }) },
    { weight: 5, arbitrary: fc.record({ c: fc.constant("advance" as const), ms: advanceMs }) },
    {
      weight: 1,
      arbitrary: fc.record(
        { c: fc.constant("streak" as const), m: fc.integer({ min: 0, max: 2 }), days: fc.integer({ min: 2, max: 9 }), gap: fc.integer({ min: 1, max: 8 }) },
        { requiredKeys: ["c", "m", "days"] },
      ),
    },
  );
  return options.exclude ? arb.filter((c) => !options.exclude!(c)) : arb;
}

/**
 * Commands that race when issued together: m0's redemptions (points and the scarce rewards), its
 * purchases, refunds, negative adjustments, logins, reversals, replays and the jobs. A group
 * sometimes holds the same command twice (the same reference, racing itself).
 */
const racyCommand: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ c: fc.constant("redeem" as const), m: fc.constantFrom(0, 0, 1), ref: fc.nat(8), points: fc.integer({ min: 20, max: 200 }) }) },
  { weight: 2, arbitrary: fc.record({ c: fc.constant("redeem" as const), m: fc.constantFrom(0, 1), ref: fc.nat(8), reward: fc.constantFrom(0, 2) }) },
  { weight: 3, arbitrary: fc.record({ c: fc.constant("purchase" as const), m: fc.constantFrom(0, 0, 1), ref: fc.nat(11), cents: fc.integer({ min: 100, max: 60_000 }) }) },
  { weight: 3, arbitrary: fc.record({ c: fc.constant("refund" as const), pick: fc.nat(), ref: fc.nat(11), share: fc.integer({ min: 300, max: 1000 }) }) },
  { weight: 2, arbitrary: fc.record({ c: fc.constant("adjust" as const), m: fc.constant(0), ref: fc.nat(8), points: fc.integer({ min: -300, max: -20 }), neg: fc.boolean(), reason: fc.constant(0) }) },
  { weight: 1, arbitrary: fc.record({ c: fc.constant("login" as const), m: fc.constant(0), ref: fc.nat(40) }) },
  { weight: 2, arbitrary: fc.record({ c: fc.constant("reverse" as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ c: fc.constant("replay" as const), pick: fc.nat(), change: fc.constantFrom("none" as const, "amount" as const) }) },
  { weight: 1, arbitrary: fc.constantFrom({ c: "expire" as const }, { c: "tiers" as const }) },
);

export const parallelArbitrary: fc.Arbitrary<Command> = fc
  .tuple(fc.array(racyCommand, { minLength: 2, maxLength: 4 }), fc.boolean())
  .map(([items, twin]) => ({ c: "parallel" as const, items: twin ? [items[0]!, ...items.slice(0, -1)] : items }));

export const concurrentSequenceArbitrary = (steps: number) =>
  fc.array(fc.oneof({ weight: 2, arbitrary: commandArbitrary() }, { weight: 3, arbitrary: parallelArbitrary }), { minLength: 1, maxLength: steps, size: "max" });

export const sequenceArbitrary = (steps: number, options: GeneratorOptions = {}) => fc.array(commandArbitrary(options), { minLength: 1, maxLength: steps, size: "max" });

// ---------------------------------------------------------------------------------------------

/** The sequence's members are the model's, in order; a number past them is an external id no member has. */
const memberName = (state: ModelState, m: number) => [...state.members.keys()][m] ?? GHOST;
const others = (state: ModelState, name: string) => [...state.members.keys()].find((n) => n !== name)!;
/** The same instant written with another offset: a replay with it is the same request. */
const withOffset = (at: number) => new Date(at + 2 * HOUR).toISOString().replace(/\.\d{3}Z$/, "+02:00");

function resolveEvent(cmd: EventCommand, state: ModelState): EventInput {
  const past = (days?: number) => (days === undefined ? undefined : iso(state.now - days * DAY));
  switch (cmd.c) {
    case "purchase":
      return {
        type: "purchase",
        member: memberName(state, cmd.m),
        ref: `${state.ns}o-${cmd.ref}`,
        amountCents: cmd.cents,
        occurredAt: past(cmd.back),
        ...(cmd.lines ? { items: orderLines(cmd.lines, cmd.cents) } : {}),
        ...(cmd.ch !== undefined && cmd.ch < CHANNELS.length ? { channel: CHANNELS[cmd.ch] } : {}),
      };
    case "referral":
    case "review":
      return { type: cmd.c, member: memberName(state, cmd.m), ref: `${state.ns}${cmd.c}-${cmd.ref}`, occurredAt: past(cmd.back) };
    case "login":
      return { type: "login", member: memberName(state, cmd.m), ref: `${state.ns}login-${cmd.ref}`, occurredAt: past(cmd.back) };
    case "future":
      return { type: "purchase", member: memberName(state, cmd.m), ref: `${state.ns}o-${cmd.ref}`, amountCents: 1000, occurredAt: iso(state.now + cmd.minutes * MINUTE) };
    case "refund": {
      const purchases = state.rows.filter((r) => r.key.startsWith("purchase:"));
      const purchase = purchases.length > 0 ? purchases[cmd.pick % purchases.length]! : undefined;
      if (!purchase) return { type: "refund", member: memberName(state, 0), ref: `${state.ns}refund-${cmd.ref}`, amountCents: 100, originalRef: `${state.ns}o-none` };
      const refunded = state.rows.filter((r) => r.related === purchase.key && r.key.startsWith("refund:")).reduce((s, r) => s - r.spend!, 0);
      const amountCents = cmd.rest ? Math.max(1, purchase.spend! - refunded) : Math.max(1, Math.floor((purchase.spend! * cmd.share) / 1000));
      const items = cmd.byLines ? returnedLines(state, purchase, cmd.share) : undefined;
      const owner = purchase.member;
      const other = others(state, owner);
      return {
        type: "refund",
        member: cmd.other ? other : owner,
        ref: `${state.ns}refund-${cmd.ref}`,
        amountCents: items ? items.reduce((s, l) => s + l.amountCents, 0) : amountCents,
        ...(items ? { items } : {}),
        originalRef: purchase.key.slice("purchase:".length),
        // A refund dated before its purchase is refused: backdate only refunds of backdated purchases' neighbours.
        occurredAt: cmd.back === undefined ? undefined : iso(state.now - cmd.back * DAY),
      };
    }
  }
}

/** A purchase's lines: distinct catalog SKUs, the cents split by weight (the last line takes the rest). */
function orderLines(picks: { s: number; w: number }[], cents: number): ModelLine[] {
  const unique = [...new Map(picks.map((p) => [p.s, p])).values()];
  const total = unique.reduce((s, p) => s + p.w, 0);
  let left = cents;
  return unique.map((p, i) => {
    const amountCents = i === unique.length - 1 ? left : total === 0 ? 0 : Math.floor((cents * p.w) / total);
    left -= amountCents;
    const item = CATALOG[p.s]!;
    return { sku: item.sku, ...("category" in item ? { category: item.category } : {}), quantity: 1 + (p.w % 3), amountCents };
  });
}

/** Lines a refund returns: the first line with cents left, `share`‰ of it (at least 1 cent); none when nothing is left. */
function returnedLines(state: ModelState, purchase: { key: string; lines?: { sku: string; cents: number }[] }, share: number): ModelLine[] | undefined {
  if (!purchase.lines) return undefined;
  const back = state.rows.filter((r) => r.related === purchase.key && r.returned).flatMap((r) => r.returned!);
  for (const line of purchase.lines) {
    const left = line.cents - back.filter((l) => l.sku === line.sku).reduce((s, l) => s + l.cents, 0);
    if (left > 0) return [{ sku: line.sku, quantity: 1, amountCents: Math.max(1, Math.floor((line.cents * share) / 1000)) }];
  }
  return undefined;
}

/**
 * A command as the steps it stands for: one operation, or for a streak, a login and a day's wait
 * per day (resolved when its turn comes, against the state of that moment).
 */
export function expand(cmd: Command, state: ModelState): (Op | ((state: ModelState, sent: readonly Op[]) => Op))[] {
  if (cmd.c !== "streak") return [(s: ModelState, sent: readonly Op[]) => resolve(cmd, s, sent)];
  const base = state.rows.length;
  const steps: Op[] = [];
  for (let day = 0; day < cmd.days; day++) {
    if (day !== cmd.gap) steps.push({ kind: "events", events: [{ type: "login", member: memberName(state, cmd.m), ref: `${state.ns}streak-${base}-${day}` }] });
    steps.push({ kind: "advance", ms: DAY });
  }
  return steps;
}

/** The concrete operation of a command, given the model's state and the operations sent so far (for replays). */
export function resolve(cmd: Command, state: ModelState, sent: readonly Op[]): Op {
  switch (cmd.c) {
    case "batch":
      return { kind: "events", events: cmd.items.map((i) => resolveEvent(i, state)) };
    case "redeem":
      return { kind: "redeem", member: memberName(state, cmd.m), ref: `${state.ns}r-${cmd.ref}`, points: cmd.points, reward: cmd.reward };
    case "adjust":
      return { kind: "adjust", member: memberName(state, cmd.m), ref: `${state.ns}a-${cmd.ref}`, points: cmd.points, reason: ["goodwill", "correction"][cmd.reason]!, allowNegativeBalance: cmd.neg };
    case "reverse": {
      const rows = state.rows;
      const target = cmd.unknown || rows.length === 0 ? null : rows[cmd.pick % rows.length]!.key;
      return { kind: "reverse", target, reason: "staff reversal", callerRef: cmd.caller === undefined ? undefined : `rv-${cmd.caller}` };
    }
    case "replay":
      return replayOf(cmd, state, sent) ?? { kind: "expire" };
    case "expire":
    case "tiers":
      return { kind: cmd.c };
    case "advance":
      return { kind: "advance", ms: cmd.ms };
    case "streak":
    case "parallel":
      throw new Error(`a ${cmd.c} is run by the runner, not resolved into one operation`);
    default:
      return { kind: "events", events: [resolveEvent(cmd, state)] };
  }
}

function replayOf(cmd: Extract<Command, { c: "replay" }>, state: ModelState, sent: readonly Op[]): Op | null {
  const candidates = sent.filter((o) => (o.kind === "events" && o.events.length === 1) || o.kind === "redeem" || o.kind === "adjust");
  if (candidates.length === 0) return null;
  const op = structuredClone(candidates[cmd.pick % candidates.length]!);
  const otherMember = (m: string) => others(state, m);
  if (op.kind === "events") {
    const e = op.events[0]!;
    if (cmd.change === "format" && e.occurredAt !== undefined) e.occurredAt = withOffset(Date.parse(e.occurredAt));
    if (cmd.change === "amount" && e.amountCents !== undefined) e.amountCents += 100;
    if (cmd.change === "occurredAt") e.occurredAt = e.occurredAt === undefined ? iso(Date.parse("2026-01-01T00:00:00.000Z")) : undefined;
    if (cmd.change === "member") e.member = otherMember(e.member);
  } else if (op.kind === "redeem") {
    if (cmd.change === "points" || cmd.change === "amount") op.points = (op.points ?? 0) + 1;
    if (cmd.change === "member") op.member = otherMember(op.member);
  } else if (op.kind === "adjust") {
    if (cmd.change === "points" || cmd.change === "amount") op.points += op.points === -1 ? -1 : 1;
    if (cmd.change === "reason") op.reason = `${op.reason} (again)`;
    if (cmd.change === "neg") op.allowNegativeBalance = !op.allowNegativeBalance;
    if (cmd.change === "member") op.member = otherMember(op.member);
  }
  return op;
}
