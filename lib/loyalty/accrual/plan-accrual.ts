import type { BalanceChange } from "@/db/queries/balances";
import type { GivenBack } from "@/db/queries/transactions";
import type { LineRefunds } from "@/db/queries/earning-rules";
import type { AppliedRules, NewPointTransaction, PointTransaction, ProgramSettings, TierCode } from "@/db/schema";
import type { LoyaltyEvent } from "./event-input";
import type { ErrorCode } from "../errors";
import { expiresAtFor } from "../rules/expiry";
import { allocateFifo, repayDebtFrom, type Allocation, type LotState } from "../rules/fifo";
import { loginPoints, nextStreak, previousUtcDay, utcDay } from "../rules/login-streak";
import {
  appliedRulesOf,
  applyCaps,
  countAward,
  lineRefundPoints,
  lineWeights,
  purchaseEarn,
  type CapUsage,
  type EarningCapCandidate,
  type EarningRuleCandidate,
} from "../rules/earning";
import { pickCampaign, type CampaignCandidate } from "../rules/multipliers";
import { MULTIPLIER_SCALE, applyMultiplier, fromTenThousandths, refundPoints, toTenThousandths } from "../rules/points";
import { purchaseSpendChange, tierSpendDelta } from "../rules/tiers";
import type { ReferralOutcome } from "../rules/referrals";
import { differingEventField } from "../ledger/request-fingerprint";
import { totalsDelta } from "../rules/totals";

export interface EventResult {
  /** The ledger row; null when nothing was recorded (a second login the same UTC day). */
  transactionId: number | null;
  /** Signed change of the balance: negative for a refund. */
  points: number;
  multiplier: number;
  campaignId: number | null;
  duplicate: boolean;
  /** Set on a login when the member already checked in that UTC day: nothing is awarded. */
  alreadyCheckedIn?: true;
  /** The earning rules that set a line's rate or gave a bonus (absent when none). */
  appliedRules?: number[];
  /** The caps that cut the award (absent when none). */
  cappedBy?: number[];
  /** A referral this event decided (referral-rewards.ts; absent when none). */
  referral?: ReferralOutcome;
}

export interface EventError {
  error: ErrorCode;
  message: string;
  field?: string;
}

export type EventOutcome = { ok: true; status: 200 | 201; result: EventResult } | { ok: false; status: number; error: EventError };

/** An event that passed validation, with its instant resolved. */
export interface AcceptedEvent {
  index: number;
  event: LoyaltyEvent;
  occurredAt: Date;
  /** Of the canonical request (request-fingerprint.ts); a replay with another one is refused. */
  fingerprint: string;
}

export interface PlanContext {
  actor: string;
  settings: ProgramSettings;
  tierMultipliersTt: ReadonlyMap<TierCode, number>;
  campaigns: readonly CampaignCandidate[];
  /** Earning rules and caps in force over the batch's instants (absent: none). */
  rules?: readonly EarningRuleCandidate[];
  caps?: readonly EarningCapCandidate[];
  /** What the batch's members used of the caps' periods before the batch (rules/earning.ts, usageKey). */
  capUsage?: ReadonlyMap<string, CapUsage>;
  /** How the refunds' original purchases with lines were refunded so far, by purchase id. */
  lineRefunds?: ReadonlyMap<number, LineRefunds>;
  membersByExternalId: ReadonlyMap<string, { id: number; tier: TierCode }>;
  /** Locked balances. */
  balances: ReadonlyMap<number, number>;
  /** Open lots of the members that have refunds in the batch. */
  lots: ReadonlyMap<number, readonly LotState[]>;
  /** Rows already in the ledger under the batch's references and the refunds' original purchases. */
  existing: readonly PointTransaction[];
  /** What the refunds' original purchases have given back so far (refunds, reversal, expiry). */
  givenBack: ReadonlyMap<number, GivenBack>;
  /** Check-ins already stored, keyed `${memberId}|${day}`. */
  checkIns: ReadonlyMap<string, { streak: number }>;
  /** Ids reserved from the ledger's sequence, handed out in order. */
  reservedIds: readonly number[];
  /** The batch's clock (absent in previews: nothing is pending there). */
  now?: Date;
  /**
   * Start of the rolling tier window at the batch's clock: spend after it counts toward the live
   * tier spend. Absent (previews, which write nothing): all of it counts.
   */
  tierWindowStart?: Date;
}

/** What caused a row: its idempotency key and instant. */
interface RowCause {
  referenceType: string;
  referenceId: string;
  occurredAt: Date;
}

/** The columns of a planned row that depend on the event; the others are set by addRow. */
interface RowFields {
  type: "earn" | "reverse";
  amount: number;
  multiplier: number;
  campaignId: number | null;
  spendAmount?: number;
  /** What the row changes in the live tier spend, when not its spendAmount (a refund's: see purchaseSpendChange). */
  tierSpend?: number;
  relatedTransactionId?: number;
  fingerprint: string;
  appliedRules?: AppliedRules | null;
}

export interface PlannedRow {
  row: NewPointTransaction & { id: number };
  allocations: Allocation[];
}

export interface AccrualPlan {
  outcomes: Map<number, EventOutcome>;
  rows: PlannedRow[];
  /** New remaining of lots that existed before the batch. */
  lotUpdates: Map<number, number>;
  checkIns: { memberId: number; day: string; streak: number; transactionId: number | null }[];
  /** Per member: balance, lifetime totals and live tier spend change, applied in one statement. */
  balanceChanges: Map<number, BalanceChange>;
}

const EARLIEST_DATE = new Date(-8.64e15);

const refKey = (type: string, id: string) => `${type}\u0000${id}`;

function resultOf(row: Pick<PointTransaction, "id" | "amount" | "multiplier" | "campaignId" | "appliedRules">, duplicate: boolean): EventResult {
  const result: EventResult = { transactionId: row.id, points: row.amount, multiplier: row.multiplier, campaignId: row.campaignId, duplicate };
  if (row.appliedRules?.rules) result.appliedRules = row.appliedRules.rules;
  if (row.appliedRules?.caps) result.cappedBy = row.appliedRules.caps;
  return result;
}

/** The answer to an event that earned nothing and wrote no row (a referral or review worth 0, or capped). */
function nothingEarned(capped: number[]): EventResult {
  return { transactionId: null, points: 0, multiplier: 1, campaignId: null, duplicate: false, ...(capped.length ? { cappedBy: capped } : {}) };
}

function fail(code: ErrorCode, status: number, message: string, field?: string): EventOutcome {
  return { ok: false, status, error: { error: code, message, ...(field ? { field } : {}) } };
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Why a refund of a purchase recorded with lines cannot be planned, if it cannot: lines named on a
 * purchase without lines, a SKU the purchase does not have, more of a line than it had, or a purchase
 * refunded one way (by lines, by amount) and now the other.
 */
function lineRefundRefusal(event: LoyaltyEvent, original: { referenceId: string; appliedRules?: AppliedRules | null }, so: LineRefunds): EventOutcome | null {
  const lines = original.appliedRules?.lines;
  if (event.items === undefined) {
    return so.byLines > 0
      ? fail("unprocessable", 422, `Purchase ${original.referenceId} was refunded by lines before: name the lines returned.`, "items")
      : null;
  }
  if (!lines) return fail("unprocessable", 422, `Purchase ${original.referenceId} was recorded without lines: refund it by amountCents alone.`, "items");
  if (so.byAmount > 0) return fail("unprocessable", 422, `Purchase ${original.referenceId} was refunded by amount before: refund it by amount again.`, "items");
  for (const [i, item] of event.items.entries()) {
    const line = lines.find((l) => l.sku === item.sku);
    if (!line) return fail("unprocessable", 422, `SKU ${item.sku} is not a line of purchase ${original.referenceId}.`, `items.${i}.sku`);
    const before = so.returnedCents.get(item.sku) ?? 0;
    if (before + item.amountCents > line.cents) {
      return fail(
        "refund_exceeds_purchase",
        422,
        `Refunds of SKU ${item.sku} would total ${before + item.amountCents} of its ${line.cents}.`,
        `items.${i}.amountCents`,
      );
    }
  }
  return null;
}

/**
 * Until when a purchase's points are pending: `occurredAt + pendingDays` days, when that is still
 * ahead of the batch's clock (a purchase recorded after its window closed vests at once); null when
 * the programme has no return window. Pending lots always vest after they were written.
 */
export function pendingUntil(occurredAt: Date, pendingDays: number, now: Date | undefined): Date | null {
  if (pendingDays <= 0 || now === undefined) return null;
  const vestsAt = new Date(occurredAt.getTime() + pendingDays * DAY_MS);
  return vestsAt.getTime() > now.getTime() ? vestsAt : null;
}

/**
 * A reference seen before (stored, or earlier in this batch): another member's → reference_conflict;
 * the same member's under another request → idempotency_conflict naming the field; else the first
 * result, as a duplicate. Rows from before fingerprints existed are compared by member only.
 */
function replayOutcome(event: LoyaltyEvent, fingerprint: string, seen: PointTransaction, memberId: number, originalId: number | undefined): EventOutcome {
  if (seen.memberId !== memberId) {
    return fail("reference_conflict", 409, `Reference ${event.type}/${event.referenceId} was already used for another member.`, "referenceId");
  }
  if (seen.requestFingerprint && seen.requestFingerprint !== fingerprint) {
    const field = differingEventField(event, seen, originalId);
    return fail(
      "idempotency_conflict",
      409,
      `Reference ${event.type}/${event.referenceId} was already used with another ${field === "payload" ? "payload" : field}.`,
      field,
    );
  }
  return { ok: true, status: 200, result: resultOf(seen, true) };
}

/**
 * Decides, in memory and in input order, what a batch of events writes: the ledger rows, the lots
 * they create or consume, the check-ins, and each member's balance and totals change. Pure: the
 * caller loaded everything under the members' locks and writes the plan with a few set-based
 * statements. Later events see the effects of earlier ones (a refund of a purchase in the same batch,
 * a replay of a reference earlier in the batch, the next day of a login streak).
 */
export function planAccrual(events: readonly AcceptedEvent[], ctx: PlanContext): AccrualPlan {
  const plan: AccrualPlan = {
    outcomes: new Map(),
    rows: [],
    lotUpdates: new Map(),
    checkIns: [],
    balanceChanges: new Map(),
  };
  const existingByRef = new Map(ctx.existing.map((row) => [refKey(row.referenceType, row.referenceId), row]));
  const plannedByRef = new Map<string, PlannedRow>();
  const balances = new Map(ctx.balances);
  const lots = new Map<number, LotState[]>([...ctx.lots].map(([memberId, list]) => [memberId, list.map((l) => ({ ...l }))]));
  const preexistingLotIds = new Set([...ctx.lots.values()].flat().map((l) => l.id));
  const newLotRows = new Map<number, PlannedRow>();
  const givenBack = new Map([...ctx.givenBack].map(([id, g]) => [id, { ...g }]));
  const checkIns = new Map(ctx.checkIns);
  let nextId = 0;
  const { settings } = ctx;
  const rules = ctx.rules ?? [];
  const caps = ctx.caps ?? [];
  const usage = new Map([...(ctx.capUsage ?? [])].map(([k, u]) => [k, { ...u }]));
  const usageOf = (key: string) => usage.get(key);
  const lineRefunds = new Map<number, LineRefunds>();
  const lineRefundsOf = (purchaseId: number): LineRefunds => {
    let state = lineRefunds.get(purchaseId);
    if (!state) {
      const stored = ctx.lineRefunds?.get(purchaseId);
      state = stored ? { ...stored, returnedCents: new Map(stored.returnedCents) } : { byLines: 0, byAmount: 0, returnedCents: new Map(), returnedWeight: 0n };
      lineRefunds.set(purchaseId, state);
    }
    return state;
  };
  /** Caps cut an award last (after rules, campaigns and the tier bonus). */
  const capped = (points: number, memberId: number, eventType: "purchase" | "referral" | "review" | "login", at: Date) =>
    caps.length === 0 || points === 0 ? { points, capped: [] as number[] } : applyCaps(points, { memberId, eventType, at }, caps, usageOf);

  const campaignFor = (eventType: "purchase" | "referral" | "review" | "login", tier: TierCode, at: Date, channel?: string) => {
    const campaign = pickCampaign(ctx.campaigns, { eventType, tier, at, channel });
    return { campaignId: campaign?.id ?? null, tt: campaign ? toTenThousandths(campaign.multiplier) : MULTIPLIER_SCALE };
  };

  /**
   * Plans one ledger row. Every row is built by this one literal, with every column, so all rows of
   * a batch share one object shape: spreading partial rows into each other cost more than the rest
   * of the plan, and left insertLedgerRows reading 16 columns off rows of many shapes.
   */
  const addRow = (memberId: number, cause: RowCause, fields: RowFields, allocations: Allocation[] = []) => {
    const id = ctx.reservedIds[nextId++];
    if (id === undefined) throw new Error("planAccrual: ran out of reserved ids");
    const row: PlannedRow["row"] = {
      id,
      memberId,
      type: fields.type,
      amount: fields.amount,
      referenceType: cause.referenceType,
      referenceId: cause.referenceId,
      multiplier: fields.multiplier,
      campaignId: fields.campaignId,
      rewardId: null,
      spendAmount: fields.spendAmount ?? null,
      relatedTransactionId: fields.relatedTransactionId ?? null,
      description: null,
      createdBy: ctx.actor,
      occurredAt: cause.occurredAt,
      expiresAt: null,
      remaining: null,
      requestFingerprint: fields.fingerprint,
      vestsAt: null,
      appliedRules: fields.appliedRules ?? null,
    };
    const planned: PlannedRow = { row, allocations };
    plan.rows.push(planned);
    plannedByRef.set(refKey(row.referenceType, row.referenceId), planned);
    const delta = totalsDelta(row.type, row.amount, row.type === "reverse" ? "earn" : null);
    const change = plan.balanceChanges.get(memberId);
    const spend = fields.tierSpend ?? tierSpendDelta(row.spendAmount, cause.occurredAt, ctx.tierWindowStart ?? EARLIEST_DATE);
    if (change) {
      change.points += row.amount;
      change.earned += delta.earned;
      change.redeemed += delta.redeemed;
      change.spend += spend;
    } else {
      plan.balanceChanges.set(memberId, { points: row.amount, earned: delta.earned, redeemed: delta.redeemed, spend });
    }
    return planned;
  };

  /**
   * A credit that becomes a lot, after paying back any negative balance. A lot that `vestsAt` (a
   * purchase in its return window) is pending until then, and its expiry counts from then.
   */
  const credit = (memberId: number, cause: RowCause, fields: RowFields, vestsAt: Date | null = null) => {
    const points = fields.amount;
    const balance = balances.get(memberId) ?? 0;
    const remaining = repayDebtFrom([points], balance).kept[0]!;
    balances.set(memberId, balance + points);
    const expiresAt = expiresAtFor(vestsAt ?? cause.occurredAt, settings.expiryMonths);
    const planned = addRow(memberId, cause, fields);
    planned.row.expiresAt = expiresAt;
    planned.row.remaining = remaining;
    planned.row.vestsAt = vestsAt;
    const memberLots = lots.get(memberId);
    if (memberLots) memberLots.push({ id: planned.row.id, expiresAt, remaining, vestsAt });
    else lots.set(memberId, [{ id: planned.row.id, expiresAt, remaining, vestsAt }]);
    newLotRows.set(planned.row.id, planned);
    return planned;
  };

  for (const { index, event, occurredAt, fingerprint } of events) {
    const key = refKey(event.type, event.referenceId);
    const member = ctx.membersByExternalId.get(event.memberExternalId);
    if (!member) {
      plan.outcomes.set(index, fail("member_not_found", 404, `No member with externalId ${event.memberExternalId}.`, "memberExternalId"));
      continue;
    }
    const seen = existingByRef.get(key) ?? plannedByRef.get(key)?.row;
    if (seen) {
      const originalKey = event.originalReferenceId === undefined ? undefined : refKey("purchase", event.originalReferenceId);
      const originalId = originalKey === undefined ? undefined : (existingByRef.get(originalKey)?.id ?? plannedByRef.get(originalKey)?.row.id);
      plan.outcomes.set(index, replayOutcome(event, fingerprint, seen as PointTransaction, member.id, originalId));
      continue;
    }
    const cause: RowCause = { referenceType: event.type, referenceId: event.referenceId, occurredAt };

    if (event.type === "purchase") {
      const amountCents = event.amountCents!;
      // Rules and campaigns per line (rules/earning.ts), then the caps.
      const earn = purchaseEarn({
        amountCents,
        lines: event.items,
        channel: event.channel,
        at: occurredAt,
        tier: member.tier,
        basePointsPerCurrencyUnit: settings.pointsPerCurrencyUnit,
        tierTt: ctx.tierMultipliersTt.get(member.tier) ?? MULTIPLIER_SCALE,
        campaigns: ctx.campaigns,
        rules,
      });
      const cut = capped(earn.points, member.id, "purchase", occurredAt);
      const points = cut.points;
      const fields: RowFields = {
        type: "earn",
        amount: points,
        multiplier: fromTenThousandths(earn.multiplierTt),
        campaignId: earn.campaignId,
        spendAmount: amountCents,
        fingerprint,
        appliedRules: appliedRulesOf({ rules: earn.rules, campaigns: earn.campaigns, caps: cut.capped, lines: earn.lines }),
      };
      const vestsAt = pendingUntil(occurredAt, settings.pendingDays, ctx.now);
      const planned = points > 0 ? credit(member.id, cause, fields, vestsAt) : addRow(member.id, cause, fields);
      if (points > 0) countAward(usage, member.id, "purchase", occurredAt, points);
      plan.outcomes.set(index, { ok: true, status: 201, result: resultOf(planned.row as PointTransaction, false) });
      continue;
    }

    if (event.type === "referral" || event.type === "review") {
      const { campaignId, tt } = campaignFor(event.type, member.tier, occurredAt, event.channel);
      const cut = capped(applyMultiplier(event.type === "referral" ? settings.referralPoints : settings.reviewPoints, tt), member.id, event.type, occurredAt);
      const points = cut.points;
      if (points === 0) {
        plan.outcomes.set(index, { ok: true, status: 200, result: nothingEarned(cut.capped) });
        continue;
      }
      const appliedRules = appliedRulesOf({ caps: cut.capped, campaigns: campaignId === null ? [] : [campaignId] });
      const planned = credit(member.id, cause, { type: "earn", amount: points, multiplier: fromTenThousandths(tt), campaignId, fingerprint, appliedRules });
      countAward(usage, member.id, event.type, occurredAt, points);
      plan.outcomes.set(index, { ok: true, status: 201, result: resultOf(planned.row as PointTransaction, false) });
      continue;
    }

    if (event.type === "login") {
      const day = utcDay(occurredAt);
      if (checkIns.has(`${member.id}|${day}`)) {
        plan.outcomes.set(index, {
          ok: true,
          status: 200,
          result: { transactionId: null, points: 0, multiplier: 1, campaignId: null, duplicate: false, alreadyCheckedIn: true },
        });
        continue;
      }
      const previousDay = previousUtcDay(day);
      const previous = checkIns.get(`${member.id}|${previousDay}`);
      const streak = nextStreak(previous ? { day: previousDay, streak: previous.streak } : null, day);
      const { campaignId, tt } = campaignFor("login", member.tier, occurredAt, event.channel);
      const streakRules = { loginPoints: settings.loginPoints, bonusPoints: settings.loginStreakBonusPoints, streakLength: settings.loginStreakLength };
      const cut = capped(applyMultiplier(loginPoints(streak, streakRules), tt), member.id, "login", occurredAt);
      const points = cut.points;
      const appliedRules = appliedRulesOf({ caps: cut.capped, campaigns: campaignId === null ? [] : [campaignId] });
      const planned =
        points > 0
          ? credit(member.id, cause, { type: "earn", amount: points, multiplier: fromTenThousandths(tt), campaignId, fingerprint, appliedRules })
          : null;
      if (points > 0) countAward(usage, member.id, "login", occurredAt, points);
      checkIns.set(`${member.id}|${day}`, { streak });
      plan.checkIns.push({ memberId: member.id, day, streak, transactionId: planned?.row.id ?? null });
      plan.outcomes.set(
        index,
        planned
          ? { ok: true, status: 201, result: resultOf(planned.row as PointTransaction, false) }
          : { ok: true, status: 201, result: nothingEarned(cut.capped) },
      );
      continue;
    }

    // Refund of a purchase (the original, stored or earlier in this batch, must be the same member's).
    const original = existingByRef.get(refKey("purchase", event.originalReferenceId!)) ?? plannedByRef.get(refKey("purchase", event.originalReferenceId!))?.row;
    if (!original || original.memberId !== member.id || !original.spendAmount || original.spendAmount <= 0) {
      plan.outcomes.set(index, fail("original_not_found", 422, `No purchase ${event.originalReferenceId} of this member to refund.`, "originalReferenceId"));
      continue;
    }
    if (occurredAt.getTime() < original.occurredAt!.getTime()) {
      plan.outcomes.set(index, fail("unprocessable", 422, `A refund cannot precede its purchase (${original.occurredAt!.toISOString()}).`, "occurredAt"));
      continue;
    }
    const amountCents = event.amountCents!;
    const before = givenBack.get(original.id!) ?? { refundedCents: 0, removedCents: 0, takenPoints: 0 };
    if (before.refundedCents + amountCents > original.spendAmount) {
      plan.outcomes.set(
        index,
        fail("refund_exceeds_purchase", 422, `Refunds would total ${before.refundedCents + amountCents} of a ${original.spendAmount} purchase.`, "amountCents"),
      );
      continue;
    }
    // Refunds of lines (docs/ledger.md, Earning rules): by the weight of the lines returned.
    const purchaseLines = original.appliedRules?.lines;
    let points: number;
    let returned: NonNullable<AppliedRules["returned"]> | undefined;
    if (event.items !== undefined || purchaseLines) {
      const so = lineRefundsOf(original.id!);
      const refusal = lineRefundRefusal(event, original, so);
      if (refusal) {
        plan.outcomes.set(index, refusal);
        continue;
      }
    }
    if (event.items !== undefined) {
      const so = lineRefundsOf(original.id!);
      const weights = lineWeights(purchaseLines!);
      let total = 0n;
      for (const w of weights.values()) total += w.weight;
      returned = event.items.map((item) => {
        const line = weights.get(item.sku)!;
        const weight = line.cents === 0 ? 0n : (line.weight * BigInt(item.amountCents)) / BigInt(line.cents);
        return { sku: item.sku, cents: item.amountCents, weight: weight.toString() };
      });
      const now = returned.reduce((sum, r) => sum + BigInt(r.weight), 0n);
      points = lineRefundPoints({
        originalPoints: original.amount,
        totalWeight: total,
        returnedBefore: so.returnedWeight,
        returnedNow: now,
        takenBeforePoints: before.takenPoints,
      });
      so.byLines += 1;
      so.returnedWeight += now;
      for (const r of returned) so.returnedCents.set(r.sku, (so.returnedCents.get(r.sku) ?? 0) + r.cents);
    } else {
      if (purchaseLines) lineRefundsOf(original.id!).byAmount += 1;
      points = refundPoints({
        originalPoints: original.amount,
        originalAmountCents: original.spendAmount,
        refundedBeforeCents: before.refundedCents,
        refundCents: amountCents,
        takenBeforePoints: before.takenPoints,
      });
    }
    const tierSpend = purchaseSpendChange({
      purchaseCents: original.spendAmount,
      purchaseOccurredAt: original.occurredAt!,
      removedBefore: before.removedCents,
      removedNow: amountCents,
      windowStart: ctx.tierWindowStart ?? EARLIEST_DATE,
    });
    givenBack.set(original.id!, {
      refundedCents: before.refundedCents + amountCents,
      removedCents: before.removedCents + amountCents,
      takenPoints: before.takenPoints + points,
    });
    const memberLots = lots.get(member.id) ?? [];
    const { allocations } = allocateFifo(memberLots, points, { now: occurredAt, includeExpired: true, preferLotId: original.id! });
    for (const allocation of allocations) {
      const lot = memberLots.find((l) => l.id === allocation.lotId)!;
      lot.remaining -= allocation.points;
      if (preexistingLotIds.has(lot.id)) plan.lotUpdates.set(lot.id, lot.remaining);
      else newLotRows.get(lot.id)!.row.remaining = lot.remaining;
    }
    balances.set(member.id, (balances.get(member.id) ?? 0) - points);
    const planned = addRow(
      member.id,
      cause,
      {
        type: "reverse",
        amount: points === 0 ? 0 : -points,
        spendAmount: -amountCents,
        tierSpend,
        relatedTransactionId: original.id!,
        multiplier: original.multiplier ?? 1,
        campaignId: original.campaignId ?? null,
        fingerprint,
        appliedRules: returned ? { returned } : null,
      },
      allocations,
    );
    plan.outcomes.set(index, { ok: true, status: 201, result: resultOf(planned.row as PointTransaction, false) });
  }
  return plan;
}
