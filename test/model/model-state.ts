/**
 * The reference model's state: plain Maps and arrays, integers only, cloneable with structuredClone
 * (the concurrency runner tries every serial order of a group of commands on its own copy).
 *
 * Rows are named by a key instead of a database id, so the model never needs the system's ids:
 * `${referenceType}:${referenceId}` for rows carrying a caller's reference (purchase:o-3,
 * redemption:r-1, adjustment:a-2), `reversal:${targetKey}` for a staff reversal and
 * `expiry:${lotKey}#${n}` for the n-th expiry of a lot. The system's snapshot is read into the
 * same keys (system-snapshot.ts).
 */
import type { LineWeight, ModelCap, ModelEarningRule } from "./earning-model";
import { addMonths } from "./model-time";

export type TierCode = "bronze" | "silver" | "gold";
export type EarnType = "purchase" | "referral" | "review" | "login";

/** Multipliers are integer ten-thousandths: 1.25 → 12_500. */
export const SCALE = 10_000;

export interface ModelCampaign {
  multiplierTt: number;
  startsAt: number;
  endsAt: number;
  /** Empty: every event type. */
  eventTypes: EarnType[];
  /** Empty: every tier. */
  tiers: TierCode[];
  paused: boolean;
  /** Empty or absent: every purchase line / every channel (§ Earning rules and caps). */
  categories?: string[];
  channels?: string[];
}

export interface ModelReward {
  cost: number;
  /** null: unlimited. */
  stock: number | null;
  active: boolean;
  /** A coupon hands each redemption one code: its pool's oldest, else `<prefix>-<10 characters>`, else out_of_stock. */
  kind: "item" | "coupon";
  /** The pool a coupon starts with (each sequence's namespace in front), oldest first. */
  codes: string[];
  prefix: string | null;
}

export interface ModelConfig {
  pointsPerCurrencyUnit: number;
  referralPoints: number;
  reviewPoints: number;
  loginPoints: number;
  loginStreakBonusPoints: number;
  loginStreakLength: number;
  expiryMonths: number;
  /** Tier retention (docs/ledger.md): the spend window in months (absent = 12) and the grace in days (absent = 0). */
  tierQualificationMonths?: number;
  tierGraceDays?: number;
  /** A hold's ttlSeconds when its caller names none. */
  holdTtlSeconds: number;
  /** Most points one transfer may move (0 = transfers off), and one sender over a rolling 24 hours. */
  transferMaxPoints: number;
  transferDailyMaxPoints: number;
  /** Lowest rank first. */
  tiers: { code: TierCode; minSpend12m: number; multiplierTt: number }[];
  /** Index = campaign number (lower = older, wins ties). */
  campaigns: ModelCampaign[];
  rewards: ModelReward[];
  /** § Earning rules and caps (earning-model.ts); absent: none. */
  earningRules?: ModelEarningRule[];
  caps?: ModelCap[];
}

/** drizzle/0000_init.sql and 0001_ledger_guards.sql: program_settings defaults and the three tiers. */
export const MIGRATION_DEFAULTS: Omit<ModelConfig, "campaigns" | "rewards"> = {
  pointsPerCurrencyUnit: 1,
  referralPoints: 500,
  reviewPoints: 50,
  loginPoints: 10,
  loginStreakBonusPoints: 50,
  loginStreakLength: 7,
  expiryMonths: 12,
  holdTtlSeconds: 900,
  transferMaxPoints: 10_000,
  transferDailyMaxPoints: 20_000,
  tiers: [
    { code: "bronze", minSpend12m: 0, multiplierTt: SCALE },
    { code: "silver", minSpend12m: 50_000, multiplierTt: SCALE },
    { code: "gold", minSpend12m: 200_000, multiplierTt: SCALE },
  ],
};

export type RowType = "earn" | "redeem" | "expire" | "adjust" | "reverse";

export interface Row {
  key: string;
  member: string;
  type: RowType;
  amount: number;
  spend: number | null;
  related: string | null;
  multiplierTt: number;
  campaign: number | null;
  reward: number | null;
  occurredAt: number;
  /** Lots only (a credit that can be spent). */
  expiresAt: number | null;
  remaining: number | null;
  /** A purchase's lot in its return window: pending (not redeemable, not holdable) until this instant. */
  vestsAt?: number | null;
  /** Idempotent writes: the canonical request, compared field by field on a replay. */
  request?: [string, string | number | boolean][];
  /** Reversals: the caller's referenceId, the only thing that makes a second reversal a replay. */
  callerRef?: string | null;
  /** A purchase with order lines: each line's weight (§ Earning rules, refunds of lines); a refund of lines: what it returned. */
  lines?: LineWeight[];
  returned?: LineWeight[];
}

export interface MemberState {
  tier: TierCode;
  /** Cached balance (sum of the member's amounts), may be negative. */
  balance: number;
  totalEarned: number;
  totalRedeemed: number;
  /** point_balances.tier_spend_12m: changed live by purchases, refunds and reversals, recomputed by the tier job. */
  tierSpend: number;
  /** members.tier_grace_ends_at: the end of a running tier grace (absent or null = not in grace). */
  graceEndsAt?: number | null;
  /** UTC day → streak. */
  checkIns: Map<string, { streak: number; row: string | null }>;
}

/** A checkout hold (no ledger row): live while active and now < expiresAt. */
export interface Hold {
  /** `hold:${referenceId}` */
  key: string;
  member: string;
  points: number;
  expiresAt: number;
  status: "active" | "captured" | "voided";
  /** The redemption a capture wrote. */
  capture: string | null;
  request: [string, string | number | boolean][];
}

export interface Allocation {
  debit: string;
  lot: string;
  points: number;
}

export interface ModelState {
  config: ModelConfig;
  /** Prefix of the sequence's references (the HTTP harness runs many sequences in one database). */
  ns: string;
  now: number;
  members: Map<string, MemberState>;
  /** In creation order: the order of the system's ids, which breaks FIFO ties. */
  rows: Row[];
  byKey: Map<string, Row>;
  allocations: Allocation[];
  stock: (number | null)[];
  /** program_settings.pending_days: applies to purchases recorded from its change on. */
  pendingDays: number;
  holds: Hold[];
  /** The vesting job's record: lot key → the points it had left when recorded. */
  vestings: Map<string, number>;
  /** Per reward: the codes left in its pool, oldest first. */
  pools: string[][];
  /** Redemption key → the coupon code it was given. */
  coupons: Map<string, string>;
}

export function initialState(config: ModelConfig, now: number, members: readonly string[], ns = ""): ModelState {
  return {
    config,
    ns,
    now,
    members: new Map(members.map((m) => [m, { tier: config.tiers[0]!.code, balance: 0, totalEarned: 0, totalRedeemed: 0, tierSpend: 0, checkIns: new Map() }])),
    rows: [],
    byKey: new Map(),
    allocations: [],
    stock: config.rewards.map((r) => r.stock),
    pendingDays: 0,
    holds: [],
    vestings: new Map(),
    pools: config.rewards.map((r) => r.codes.map((c) => `${ns}${c}`)),
    coupons: new Map(),
  };
}

export function addRow(state: ModelState, row: Row): Row {
  state.rows.push(row);
  state.byKey.set(row.key, row);
  return row;
}

export const isLot = (row: Row) => row.remaining !== null;
export const lotsOf = (state: ModelState, member: string) => state.rows.filter((r) => r.member === member && isLot(r));
/** Open lots in consumption order: soonest expiry first, then oldest. */
export const openLots = (state: ModelState, member: string) =>
  lotsOf(state, member)
    .filter((r) => r.remaining! > 0)
    .sort((a, b) => a.expiresAt! - b.expiresAt! || state.rows.indexOf(a) - state.rows.indexOf(b));

export const pastDue = (state: ModelState, member: string) =>
  openLots(state, member)
    .filter((l) => l.expiresAt! <= state.now)
    .reduce((s, l) => s + l.remaining!, 0);

/** Pending: a purchase's lot still in its return window (docs/ledger.md, Pending points). */
export const isPending = (lot: Row, at: number) => lot.vestsAt != null && lot.vestsAt > at;
/** Open lots the member may redeem, hold or transfer now: unexpired and vested. */
export const redeemableLots = (state: ModelState, member: string) =>
  openLots(state, member).filter((l) => l.expiresAt! > state.now && !isPending(l, state.now));
export const pendingPoints = (state: ModelState, member: string) =>
  openLots(state, member)
    .filter((l) => isPending(l, state.now))
    .reduce((s, l) => s + l.remaining!, 0);

/** A hold is live while active and `at` < its expiry (docs/ledger.md, Holds: no job needed). */
export const isLiveHold = (h: Hold, at: number) => h.status === "active" && at < h.expiresAt;
/** Points the member's holds live at `at` reserve, `except` one (a capture's own hold). */
export const heldPoints = (state: ModelState, member: string, at = state.now, except?: Hold) =>
  state.holds.filter((h) => h.member === member && h !== except && isLiveHold(h, at)).reduce((s, h) => s + h.points, 0);

/**
 * What the member can use now, one figure for the summary and every answer: the balance less open
 * points past their expiry (not yet expired by the job), less held and less pending points.
 */
export const availablePoints = (state: ModelState, member: string) =>
  state.members.get(member)!.balance - pastDue(state, member) - heldPoints(state, member) - pendingPoints(state, member);

/**
 * Takes `points` from open lots: `first` (a refund's or reversal's own lot) before the others, the
 * others soonest-expiring first; expired and pending lots only when `includeExpired` (debits that
 * cannot be refused). Returns what it took, lot by lot, and what could not be taken (the balance goes
 * negative by it).
 */
export function takeFromLots(
  state: ModelState,
  debit: string,
  member: string,
  points: number,
  options: { includeExpired: boolean; first?: string },
): { taken: { lot: Row; points: number }[]; left: number } {
  let left = points;
  const taken: { lot: Row; points: number }[] = [];
  const lots = options.includeExpired ? openLots(state, member) : redeemableLots(state, member);
  const own = lots.findIndex((l) => l.key === options.first);
  if (own > 0) lots.unshift(...lots.splice(own, 1));
  for (const lot of lots) {
    if (left === 0) break;
    const take = Math.min(left, lot.remaining!);
    lot.remaining! -= take;
    left -= take;
    state.allocations.push({ debit, lot: lot.key, points: take });
    taken.push({ lot, points: take });
  }
  return { taken, left };
}

/**
 * A credit pays back a negative balance first: returns what each portion keeps, taking the debt
 * from the portions in the order given.
 */
export function repayDebt(portions: readonly number[], balanceBefore: number): number[] {
  let debt = Math.max(0, -balanceBefore);
  return portions.map((p) => {
    const take = Math.min(debt, p);
    debt -= take;
    return p - take;
  });
}

/**
 * A new lot of `points` for the member, after paying back any debt; moves the balance. A pending lot
 * (`vestsAt`) expires `expiryMonths` after it vests.
 */
export function creditLot(state: ModelState, row: Omit<Row, "expiresAt" | "remaining">, vestsAt: number | null = null): Row {
  const m = state.members.get(row.member)!;
  const [kept] = repayDebt([row.amount], m.balance);
  m.balance += row.amount;
  return addRow(state, { ...row, expiresAt: addMonths(vestsAt ?? row.occurredAt, state.config.expiryMonths), remaining: kept!, vestsAt });
}

export const tierWindowStart = (now: number, months = 12) => addMonths(now, -months);

export function tierForSpend(config: ModelConfig, spend: number): TierCode {
  let tier = config.tiers[0]!.code;
  for (const t of config.tiers) if (spend >= t.minSpend12m) tier = t.code;
  return tier;
}
