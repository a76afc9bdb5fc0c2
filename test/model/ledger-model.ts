/**
 * The reference model of the ledger, written from docs/ledger.md (not from lib/loyalty): every
 * operation of the system as a plain function over ModelState, which it changes in place, and the
 * answer the system must give. Read it beside the document; each rule names the paragraph it
 * follows. Where the document is silent, the choice is marked "(silent)" and listed in
 * RELIABILITY.md / notes/model-findings.md.
 */
import { capAward, purchaseEarn, refundDebit, type ModelLine } from "./earning-model";
import { addMonths, DAY, dayBefore, MINUTE, utcDay } from "./model-time";
import {
  addRow,
  availablePoints,
  creditLot,
  heldPoints,
  openLots,
  pendingPoints,
  redeemableLots,
  repayDebt,
  SCALE,
  takeFromLots,
  tierForSpend,
  tierWindowStart,
  type EarnType,
  type Hold,
  type ModelState,
  type Row,
} from "./model-state";

export interface Refusal {
  ok: false;
  code: string;
  field?: string;
}
const refuse = (code: string, field?: string): Refusal => ({ ok: false, code, ...(field ? { field } : {}) });

export interface EventInput {
  type: EarnType | "refund";
  member: string;
  ref: string;
  amountCents?: number;
  originalRef?: string;
  /** ISO text as sent (any offset); absent = now. */
  occurredAt?: string;
  /** § Earning rules and caps: order lines of a purchase, lines returned by a refund; the channel. */
  items?: ModelLine[];
  channel?: string;
}

export type EventAnswer =
  | {
      ok: true;
      status: 200 | 201;
      transaction: string | null;
      points: number;
      multiplierTt: number;
      campaign: number | null;
      duplicate: boolean;
      alreadyCheckedIn?: true;
    }
  | Refusal;

export interface RedeemInput {
  member: string;
  ref: string;
  points?: number;
  /** Index into config.rewards; past the end = a reward id that does not exist. */
  reward?: number;
}
export interface AdjustInput {
  member: string;
  ref: string;
  points: number;
  reason: string;
  allowNegativeBalance: boolean;
}
export type BalanceAnswer = { ok: true; transaction: string; points: number; available: number; duplicate: boolean; couponCode?: string } | Refusal;

export interface ReverseInput {
  /** Row key, or null for an id no row has. */
  target: string | null;
  reason: string;
  callerRef?: string;
}
export type ReverseAnswer = { ok: true; transaction: string; reversed: string; points: number; available: number; duplicate: boolean } | Refusal;

const MAX_POINTS = 1_000_000_000;
const FUTURE_SKEW = 5 * MINUTE;
const EXPIRING_SOON = 30 * DAY;

// ---------------------------------------------------------------------------------------------
// Idempotency: "A replay is compared, in this order: another member → reference_conflict; another
// fingerprint → idempotency_conflict, with field naming the first field of the list whose value
// differs; else a duplicate."

type Request = [string, string | number | boolean][];

function request(fields: [string, string | number | boolean | undefined][]): Request {
  return fields.filter((f): f is [string, string | number | boolean] => f[1] !== undefined);
}

const sameRequest = (a: Request, b: Request) => JSON.stringify(a) === JSON.stringify(b);

/**
 * `shown`: the fields of the list in order, each with the replay's value (undefined when it has
 * none) and what the stored row shows of the first request ("the first field ... whose value
 * differs from the stored row (payload when only the fingerprint shows it)").
 */
function replay(seen: Row, member: string, req: Request, shown: [string, unknown, unknown][]): Refusal | "duplicate" {
  if (seen.member !== member) return refuse("reference_conflict", "referenceId");
  if (sameRequest(seen.request ?? [], req)) return "duplicate";
  const field = shown.find(([, replayed, stored]) => replayed !== undefined && replayed !== stored);
  return refuse("idempotency_conflict", field ? field[0] : "payload");
}

// ---------------------------------------------------------------------------------------------
// Events (§ Events)

/** Highest live multiplier matching type, tier and instant; tie → lowest campaign number. Window [startsAt, endsAt) (silent on the bounds). */
function bestCampaign(state: ModelState, type: EarnType, tier: string, at: number): { campaign: number | null; tt: number } {
  let best: { campaign: number | null; tt: number } = { campaign: null, tt: SCALE };
  state.config.campaigns.forEach((c, i) => {
    const live = !c.paused && c.startsAt <= at && at < c.endsAt;
    const matches = (c.eventTypes.length === 0 || c.eventTypes.includes(type)) && (c.tiers.length === 0 || c.tiers.includes(tier as never));
    if (live && matches && (best.campaign === null || c.multiplierTt > best.tt)) best = { campaign: i, tt: c.multiplierTt };
  });
  return best;
}

const earnAnswer = (row: Row, duplicate: boolean): EventAnswer => ({
  ok: true,
  status: duplicate ? 200 : 201,
  transaction: row.key,
  points: row.amount,
  multiplierTt: row.multiplierTt,
  campaign: row.campaign,
  duplicate,
});

/** What a purchase has given back: cents refunded, cents removed by its reversal, points taken by refunds, reversal and expiry of its lot. */
export function givenBack(state: ModelState, credit: Row) {
  let refundedCents = 0;
  let reversedCents = 0;
  let taken = 0;
  for (const r of state.rows) {
    if (r.related !== credit.key) continue;
    if (r.key.startsWith("refund:")) {
      refundedCents += -r.spend!;
      taken += -r.amount;
    } else if (r.key.startsWith("reversal:")) {
      reversedCents += -(r.spend ?? 0);
      taken += -r.amount;
    } else if (r.type === "expire") taken += -r.amount;
  }
  return { refundedCents, reversedCents, taken };
}

/** The purchase's contribution to the tier spend: max(0, cents − refunded − reversed) while it is in the window. */
function purchaseNet(state: ModelState, purchase: Row): number {
  const g = givenBack(state, purchase);
  return Math.max(0, purchase.spend! - g.refundedCents - g.reversedCents);
}
const inWindow = (state: ModelState, at: number) => tierWindowStart(state.now, state.config.tierQualificationMonths ?? 12) < at;

export function recordEvent(state: ModelState, e: EventInput): EventAnswer {
  const at = e.occurredAt === undefined ? state.now : Date.parse(e.occurredAt);
  if (at > state.now + FUTURE_SKEW) return refuse("unprocessable", "occurredAt");
  const member = state.members.get(e.member);
  if (!member) return refuse("member_not_found", "memberExternalId");

  const key = `${e.type}:${e.ref}`;
  const req = request([
    ["type", e.type],
    ["memberExternalId", e.member],
    ["amountCents", e.amountCents],
    ["originalReferenceId", e.originalRef],
    ["occurredAt", e.occurredAt === undefined ? undefined : new Date(at).toISOString()],
    ["items", e.items === undefined ? undefined : JSON.stringify(e.items.map((l) => [l.sku, l.category ?? null, l.quantity, l.amountCents]))],
    ["channel", e.channel],
  ]);
  const seen = state.byKey.get(key);
  if (seen) {
    const verdict = replay(seen, e.member, req, [
      ["amountCents", seen.spend === null ? undefined : e.amountCents, Math.abs(seen.spend ?? 0)],
      ["originalReferenceId", e.originalRef === undefined ? undefined : `purchase:${e.originalRef}`, seen.related],
      ["occurredAt", e.occurredAt === undefined ? undefined : at, seen.occurredAt],
    ]);
    return verdict === "duplicate" ? earnAnswer(seen, true) : verdict;
  }
  const base = { key, member: e.member, related: null, reward: null, occurredAt: at, request: req };

  if (e.type === "purchase") {
    // floor(cents / 100) × pointsPerCurrencyUnit × (best campaign × tier bonus), one final floor.
    const cents = e.amountCents!;
    // § Earning rules and caps: by order line (a purchase without lines is one line), caps last.
    const earned = purchaseEarn(state, { cents, items: e.items, channel: e.channel, tier: member.tier, at });
    const combinedTt = earned.multiplierTt;
    const campaign = earned.campaign;
    const points = capAward(state, e.member, "purchase", at, earned.points);
    const fields = {
      ...base,
      type: "earn" as const,
      amount: points,
      spend: cents,
      multiplierTt: combinedTt,
      campaign,
      ...(earned.lines ? { lines: earned.lines } : {}),
    };
    // § Pending points: pending until occurredAt + pendingDays days when that is still ahead (else at once).
    const vestsAt = state.pendingDays > 0 && at + state.pendingDays * DAY > state.now ? at + state.pendingDays * DAY : null;
    // A purchase worth 0 points is still written, as an amount-0 memo row (no lot).
    const row = points > 0 ? creditLot(state, fields, vestsAt) : addRow(state, { ...fields, expiresAt: null, remaining: null });
    member.totalEarned += points;
    if (inWindow(state, at)) member.tierSpend += cents;
    return earnAnswer(row, false);
  }

  if (e.type === "referral" || e.type === "review") {
    const { campaign, tt } = bestCampaign(state, e.type, member.tier, at);
    const points = capAward(
      state,
      e.member,
      e.type,
      at,
      Math.floor(((e.type === "referral" ? state.config.referralPoints : state.config.reviewPoints) * tt) / SCALE),
    );
    // A capped referral or review writes nothing (§ Earning rules and caps).
    if (points === 0) return { ok: true, status: 200, transaction: null, points: 0, multiplierTt: SCALE, campaign: null, duplicate: false };
    const row = creditLot(state, { ...base, type: "earn", amount: points, spend: null, multiplierTt: tt, campaign });
    member.totalEarned += points;
    return earnAnswer(row, false);
  }

  if (e.type === "login") {
    // One per member per UTC day of occurredAt; streak = yesterday's + 1, else 1; bonus every n-th day.
    const day = utcDay(at);
    if (member.checkIns.has(day)) {
      return { ok: true, status: 200, transaction: null, points: 0, multiplierTt: SCALE, campaign: null, duplicate: false, alreadyCheckedIn: true };
    }
    const streak = (member.checkIns.get(dayBefore(day))?.streak ?? 0) + 1;
    const { loginPoints, loginStreakBonusPoints, loginStreakLength } = state.config;
    const { campaign, tt } = bestCampaign(state, "login", member.tier, at);
    const points = capAward(
      state,
      e.member,
      "login",
      at,
      Math.floor(((loginPoints + (streak % loginStreakLength === 0 ? loginStreakBonusPoints : 0)) * tt) / SCALE),
    );
    // A capped login keeps its check-in and streak, and writes no row.
    if (points === 0) {
      member.checkIns.set(day, { streak, row: null });
      return { ok: true, status: 201, transaction: null, points: 0, multiplierTt: SCALE, campaign: null, duplicate: false };
    }
    const row = creditLot(state, { ...base, type: "earn", amount: points, spend: null, multiplierTt: tt, campaign });
    member.totalEarned += points;
    member.checkIns.set(day, { streak, row: row.key });
    return earnAnswer(row, false);
  }

  // Refund (§ Events, "Refund"). Checked in this order (silent; the system's): original, instant, over-refund.
  const purchase = state.byKey.get(`purchase:${e.originalRef}`);
  if (!purchase || purchase.member !== e.member) return refuse("original_not_found", "originalReferenceId");
  if (at < purchase.occurredAt) return refuse("unprocessable", "occurredAt");
  const cents = e.amountCents!;
  const g = givenBack(state, purchase);
  if (g.refundedCents + cents > purchase.spend!) return refuse("refund_exceeds_purchase", "amountCents");
  // § Earning rules and caps, refunds of lines: by weight when the refund names lines.
  const refunded = refundDebit(state, purchase, e.items, cents, g);
  if ("code" in refunded) return refuse(refunded.code, refunded.field);
  const debit = refunded.debit;
  const netBefore = purchaseNet(state, purchase);
  addRow(state, {
    ...base,
    type: "reverse",
    amount: -debit,
    spend: -cents,
    related: purchase.key,
    multiplierTt: purchase.multiplierTt,
    campaign: purchase.campaign,
    expiresAt: null,
    remaining: null,
    ...(refunded.returned ? { returned: refunded.returned } : {}),
  });
  takeFromLots(state, key, e.member, debit, { includeExpired: true, first: purchase.key });
  member.balance -= debit;
  member.totalEarned -= debit;
  // Only spend that is in the window can leave it: the change of the purchase's net, if it is in the window now.
  if (inWindow(state, purchase.occurredAt)) member.tierSpend = Math.max(0, member.tierSpend + purchaseNet(state, purchase) - netBefore);
  return { ok: true, status: 201, transaction: key, points: -debit, multiplierTt: purchase.multiplierTt, campaign: purchase.campaign, duplicate: false };
}

// ---------------------------------------------------------------------------------------------
// Redemptions (§ Lots; § Concurrency for the stock)

/** `capturing`: the hold a capture redeems (§ Holds): its points are the redemption's, not held from it. */
export function redeem(state: ModelState, input: RedeemInput, capturing?: Hold): BalanceAnswer {
  if (input.reward === undefined && !(Number.isSafeInteger(input.points) && input.points! >= 1 && input.points! <= MAX_POINTS)) {
    return refuse("validation_failed", "points");
  }
  const member = state.members.get(input.member);
  if (!member) return refuse("member_not_found");
  const key = `redemption:${input.ref}`;
  const req = request([
    ["member", input.member],
    ["points", input.points],
    ["rewardId", input.reward],
  ]);
  const seen = state.byKey.get(key);
  if (seen) {
    const verdict = replay(seen, input.member, req, [
      ["rewardId", input.reward ?? null, seen.reward],
      ["points", input.points, -seen.amount],
    ]);
    if (verdict !== "duplicate") return verdict;
    const code = state.coupons.get(key);
    return {
      ok: true,
      transaction: key,
      points: -seen.amount,
      available: availablePoints(state, input.member),
      duplicate: true,
      ...(code ? { couponCode: code } : {}),
    };
  }
  let points = input.points!;
  if (input.reward !== undefined) {
    const reward = state.config.rewards[input.reward];
    if (!reward) return refuse("reward_not_found", "rewardId");
    if (!reward.active) return refuse("reward_unavailable", "rewardId");
    points = input.points ?? reward.cost;
    if (points !== reward.cost) return refuse("validation_failed", "points");
  }
  // Unexpired, vested lots only, less what live holds reserve; a balance at or below zero redeems
  // nothing. Stock is checked after (silent), a coupon's code last.
  const redeemable = redeemableLots(state, input.member).reduce((s, l) => s + l.remaining!, 0) - heldPoints(state, input.member, state.now, capturing);
  if (member.balance <= 0 || points > redeemable) return refuse("insufficient_points");
  let couponCode: string | undefined;
  if (input.reward !== undefined) {
    const stock = state.stock[input.reward]!;
    if (stock !== null && stock <= 0) return refuse("out_of_stock", "rewardId");
    // § Coupon rewards: the pool's oldest code, else a generated `<prefix>-…` (compared as `<prefix>-*`), else out_of_stock.
    const reward = state.config.rewards[input.reward]!;
    if (reward.kind === "coupon") {
      const pool = state.pools[input.reward]!;
      if (pool.length === 0 && !reward.prefix) return refuse("out_of_stock", "rewardId");
      couponCode = pool.shift() ?? `${reward.prefix}-*`;
      state.coupons.set(key, couponCode);
    }
    if (stock !== null) state.stock[input.reward] = stock - 1;
  }
  addRow(state, {
    key,
    member: input.member,
    type: "redeem",
    amount: -points,
    spend: null,
    related: null,
    multiplierTt: SCALE,
    campaign: null,
    reward: input.reward ?? null,
    occurredAt: state.now,
    expiresAt: null,
    remaining: null,
    request: req,
  });
  takeFromLots(state, key, input.member, points, { includeExpired: false });
  member.balance -= points;
  member.totalRedeemed += points;
  return { ok: true, transaction: key, points, available: availablePoints(state, input.member), duplicate: false, ...(couponCode ? { couponCode } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Staff adjustments and reversals (§ Reversals and adjustments)

export function adjust(state: ModelState, input: AdjustInput): BalanceAnswer {
  if (!Number.isSafeInteger(input.points) || input.points === 0 || Math.abs(input.points) > MAX_POINTS) return refuse("validation_failed", "points");
  const reason = input.reason.trim();
  if (reason.length === 0 || reason.length > 1000) return refuse("validation_failed", "reason");
  const member = state.members.get(input.member);
  if (!member) return refuse("member_not_found");
  const key = `adjustment:${input.ref}`;
  const req = request([
    ["member", input.member],
    ["points", input.points],
    ["reason", reason],
    ["allowNegativeBalance", input.allowNegativeBalance],
  ]);
  const seen = state.byKey.get(key);
  if (seen) {
    const verdict = replay(seen, input.member, req, [
      ["points", input.points, seen.amount],
      ["reason", reason, seen.request?.find((f) => f[0] === "reason")?.[1]],
      // Not on the row, but the only field left when points and reason agree (silent; the system names it).
      ["allowNegativeBalance", input.allowNegativeBalance, seen.request?.find((f) => f[0] === "allowNegativeBalance")?.[1]],
    ]);
    if (verdict !== "duplicate") return verdict;
    return { ok: true, transaction: key, points: seen.amount, available: availablePoints(state, input.member), duplicate: true };
  }
  const row = {
    key,
    member: input.member,
    type: "adjust" as const,
    amount: input.points,
    spend: null,
    related: null,
    multiplierTt: SCALE,
    campaign: null,
    reward: null,
    occurredAt: state.now,
    request: req,
  };
  if (input.points > 0) {
    creditLot(state, row);
  } else {
    if (member.balance + input.points < 0 && !input.allowNegativeBalance) return refuse("negative_balance", "points");
    addRow(state, { ...row, expiresAt: null, remaining: null });
    takeFromLots(state, key, input.member, -input.points, { includeExpired: true });
    member.balance += input.points;
  }
  return { ok: true, transaction: key, points: input.points, available: availablePoints(state, input.member), duplicate: false };
}

export function reverse(state: ModelState, input: ReverseInput): ReverseAnswer {
  const reason = input.reason.trim();
  if (reason.length === 0 || reason.length > 1000) return refuse("validation_failed", "reason");
  const target = input.target === null ? undefined : state.byKey.get(input.target);
  if (!target) return refuse("transaction_not_found", "transactionId");
  const member = state.members.get(target.member)!;
  const key = `reversal:${target.key}`;
  const previous = state.byKey.get(key);
  if (previous) {
    // Reversed at most once; the same caller referenceId replays the first answer.
    if (input.callerRef === undefined || previous.callerRef !== input.callerRef) return refuse("already_reversed");
    return { ok: true, transaction: key, reversed: target.key, points: previous.amount, available: availablePoints(state, target.member), duplicate: true };
  }
  // § Transfers: "A transfer row is not reversed one side at a time (422)".
  if (target.key.startsWith("transfer:") || target.key.startsWith("transfer_in:")) return refuse("unprocessable", "transactionId");
  const row: Row = {
    key,
    member: target.member,
    type: "reverse",
    amount: 0,
    spend: null,
    related: target.key,
    multiplierTt: target.multiplierTt,
    campaign: target.campaign,
    reward: null,
    occurredAt: state.now,
    expiresAt: null,
    remaining: null,
    callerRef: input.callerRef ?? null,
  };

  if ((target.type === "earn" && target.amount >= 0) || (target.type === "adjust" && target.amount > 0)) {
    // Take back max(0, amount − taken): never what refunds took, never what its lot lost to expiry.
    const g = givenBack(state, target);
    const points = Math.max(0, target.amount - g.taken);
    const isPurchase = target.key.startsWith("purchase:");
    const spend = isPurchase ? target.spend! - g.refundedCents : null;
    if (isPurchase ? spend === 0 : points === 0) return refuse("already_reversed");
    const netBefore = isPurchase ? Math.max(0, target.spend! - g.refundedCents - g.reversedCents) : 0;
    addRow(state, { ...row, amount: -points, spend: spend === null ? null : -spend });
    takeFromLots(state, key, target.member, points, { includeExpired: true, first: target.key });
    member.balance -= points;
    if (target.type === "earn") member.totalEarned -= points;
    if (isPurchase && inWindow(state, target.occurredAt)) member.tierSpend = Math.max(0, member.tierSpend - netBefore);
    return { ok: true, transaction: key, reversed: target.key, points: -points, available: availablePoints(state, target.member), duplicate: false };
  }

  if (target.type === "redeem" || (target.type === "adjust" && target.amount < 0)) {
    // Give the points back to exactly the lots the debit used; a debt is repaid first, soonest-expiring
    // portion first; what the debit took beyond its lots becomes a lot of the reversal (§ Lots).
    const credit = -target.amount;
    const used = state.allocations
      .filter((a) => a.debit === target.key)
      .map((a) => ({ lot: state.byKey.get(a.lot)!, points: a.points }))
      .sort((a, b) => a.lot.expiresAt! - b.lot.expiresAt! || state.rows.indexOf(a.lot) - state.rows.indexOf(b.lot));
    const extra = credit - used.reduce((s, u) => s + u.points, 0);
    const kept = repayDebt([...used.map((u) => u.points), extra], member.balance);
    used.forEach((u, i) => (u.lot.remaining! += kept[i]!));
    const extraKept = kept[kept.length - 1]!;
    addRow(state, {
      ...row,
      amount: credit,
      multiplierTt: SCALE,
      campaign: null,
      ...(extraKept > 0 ? { expiresAt: addMonths(state.now, state.config.expiryMonths), remaining: extraKept } : {}),
    });
    member.balance += credit;
    if (target.type === "redeem") member.totalRedeemed -= credit;
    // "a reward redemption's reward gets its item back in stock (stock + 1, unlimited stays null)".
    if (target.reward !== null && state.stock[target.reward] !== null) state.stock[target.reward]! += 1;
    return { ok: true, transaction: key, reversed: target.key, points: credit, available: availablePoints(state, target.member), duplicate: false };
  }
  // Expiries, refunds and reversals cannot be reversed.
  return refuse("unprocessable", "transactionId");
}

// ---------------------------------------------------------------------------------------------
// Jobs and the clock

export function expirePoints(state: ModelState): { lotsExpired: number; pointsExpired: number; membersAffected: number } {
  const members = new Set<string>();
  let lots = 0;
  let points = 0;
  for (const lot of [...state.rows].filter((r) => r.remaining !== null && r.remaining > 0 && r.expiresAt! <= state.now)) {
    const n = state.rows.filter((r) => r.type === "expire" && r.related === lot.key).length + 1;
    const key = `expiry:${lot.key}#${n}`;
    const amount = lot.remaining!;
    addRow(state, {
      key,
      member: lot.member,
      type: "expire",
      amount: -amount,
      spend: null,
      related: lot.key,
      multiplierTt: SCALE,
      campaign: null,
      reward: null,
      occurredAt: lot.expiresAt!,
      expiresAt: null,
      remaining: null,
    });
    state.allocations.push({ debit: key, lot: lot.key, points: amount });
    lot.remaining = 0;
    state.members.get(lot.member)!.balance -= amount;
    members.add(lot.member);
    lots++;
    points += amount;
  }
  return { lotsExpired: lots, pointsExpired: points, membersAffected: members.size };
}

/**
 * § Tier spend: Σ over purchases in the window of max(0, cents − refunded − reversed); the only thing
 * that moves tiers. § Tier retention: the earned tier at or above the held one is taken at once;
 * below it, the first review starts a grace of tierGraceDays, and a review at or after its end
 * moves the member one step down (a new grace for the next step starts at a later review).
 */
export function recalculateTiers(state: ModelState): { upgraded: number; downgraded: number } {
  const rank = (code: string) => state.config.tiers.findIndex((t) => t.code === code);
  const graceMs = (state.config.tierGraceDays ?? 0) * DAY;
  let upgraded = 0;
  let downgraded = 0;
  for (const [name, member] of state.members) {
    const spend = state.rows
      .filter((r) => r.member === name && r.key.startsWith("purchase:") && inWindow(state, r.occurredAt))
      .reduce((s, p) => s + purchaseNet(state, p), 0);
    member.tierSpend = spend;
    const earned = rank(tierForSpend(state.config, spend));
    const held = rank(member.tier);
    if (earned >= held) {
      if (earned > held) upgraded++;
      member.tier = state.config.tiers[earned]!.code;
      member.graceEndsAt = null;
      continue;
    }
    const graceEndsAt = member.graceEndsAt ?? state.now + graceMs;
    if (state.now >= graceEndsAt) {
      member.tier = state.config.tiers[held - 1]!.code;
      member.graceEndsAt = null;
      downgraded++;
    } else member.graceEndsAt = graceEndsAt;
  }
  return { upgraded, downgraded };
}

export function advance(state: ModelState, ms: number): void {
  state.now += ms;
}

/** The member summary: available points, totals, tier, live 12-month spend, open points expiring within 30 days per UTC day. */
export function memberSummary(state: ModelState, name: string) {
  const m = state.members.get(name)!;
  const soon = new Map<string, { points: number; expiresAt: number }>();
  for (const lot of openLots(state, name)) {
    if (lot.expiresAt! <= state.now || lot.expiresAt! > state.now + EXPIRING_SOON) continue;
    const day = utcDay(lot.expiresAt!);
    const entry = soon.get(day) ?? { points: 0, expiresAt: lot.expiresAt! };
    entry.points += lot.remaining!;
    entry.expiresAt = Math.min(entry.expiresAt, lot.expiresAt!);
    soon.set(day, entry);
  }
  return {
    tier: m.tier,
    balance: m.balance,
    availablePoints: availablePoints(state, name),
    heldPoints: heldPoints(state, name),
    pendingPoints: pendingPoints(state, name),
    totalEarned: m.totalEarned,
    totalRedeemed: m.totalRedeemed,
    tierSpend12m: m.tierSpend,
    expiringSoon: [...soon.values()].sort((a, b) => a.expiresAt - b.expiresAt),
  };
}
