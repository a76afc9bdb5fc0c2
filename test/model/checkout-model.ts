/**
 * The reference model of the later rules of docs/ledger.md, beside ledger-model.ts and written the
 * same way (from the document, not from lib/loyalty): checkout holds (§ Holds), transfers between
 * members (§ Transfers), the vesting job (§ Pending points) and the programme's return window.
 */
import { redeem, type BalanceAnswer, type Refusal } from "./ledger-model";
import { addRow, availablePoints, heldPoints, isLiveHold, redeemableLots, repayDebt, SCALE, takeFromLots, type Hold, type ModelState } from "./model-state";
import { DAY } from "./model-time";

const MAX_POINTS = 1_000_000_000;
const MIN_TTL = 60;
const MAX_TTL = 7 * 24 * 3600;
const refuse = (code: string, field?: string): Refusal => ({ ok: false, code, ...(field ? { field } : {}) });
const wholePoints = (p: number | undefined) => Number.isSafeInteger(p) && p! >= 1 && p! <= MAX_POINTS;

// ---------------------------------------------------------------------------------------------
// Holds

export interface HoldInput {
  member: string;
  ref: string;
  points: number;
  ttlSeconds?: number;
}
export interface CaptureInput {
  /** Hold key, or null for an id no hold has. */
  hold: string | null;
  points?: number;
  /** The redemption's reference. */
  ref: string;
}
export type HoldState = "active" | "expired" | "captured" | "voided";
export type HoldAnswer =
  | {
      ok: true;
      hold: string;
      points: number;
      expiresAt: number;
      state: HoldState;
      available: number;
      duplicate: boolean;
      /** Captures only. */
      transaction?: string;
      capturedPoints?: number;
      releasedPoints?: number;
    }
  | Refusal;

/** "A hold is live while now < expires_at and then holds nothing, without a job (status stays active)". */
export const holdState = (h: Hold, now: number): HoldState => (h.status !== "active" ? h.status : isLiveHold(h, now) ? "active" : "expired");

const view = (state: ModelState, h: Hold, duplicate: boolean): HoldAnswer => ({
  ok: true,
  hold: h.key,
  points: h.points,
  expiresAt: h.expiresAt,
  state: holdState(h, state.now),
  available: availablePoints(state, h.member),
  duplicate,
});

/**
 * § Holds, Cover: "at every instant t from now until it ends, the lots still unexpired at t must
 * cover every hold live at t, the new one included". Only points redeemable now count (pending ones
 * are not holdable); the cover only shrinks when a lot expires, so now and each lot expiry before
 * `until` are the instants to check.
 */
export function holdable(state: ModelState, member: string, until: number): number {
  const lots = redeemableLots(state, member);
  const instants = [state.now, ...lots.map((l) => l.expiresAt!).filter((e) => e > state.now && e < until)];
  let min = Infinity;
  for (const t of instants) {
    const cover = lots.filter((l) => l.expiresAt! > t).reduce((s, l) => s + l.remaining!, 0);
    const held = state.holds.filter((h) => h.member === member && isLiveHold(h, state.now) && isLiveHold(h, t)).reduce((s, h) => s + h.points, 0);
    min = Math.min(min, cover - held);
  }
  return Math.max(0, min);
}

export function createHold(state: ModelState, input: HoldInput): HoldAnswer {
  if (!wholePoints(input.points)) return refuse("validation_failed", "points");
  if (input.ttlSeconds !== undefined && !(Number.isSafeInteger(input.ttlSeconds) && input.ttlSeconds >= MIN_TTL && input.ttlSeconds <= MAX_TTL)) {
    return refuse("validation_failed", "ttlSeconds");
  }
  const member = state.members.get(input.member);
  if (!member) return refuse("member_not_found");
  const key = `hold:${input.ref}`;
  const request: Hold["request"] = [
    ["member", input.member],
    ["points", input.points],
    ...(input.ttlSeconds !== undefined ? [["ttlSeconds", input.ttlSeconds] as [string, number]] : []),
  ];
  // § Holds, Idempotency: another member → reference_conflict; another payload → idempotency_conflict; else the first hold as it is now.
  const seen = state.holds.find((h) => h.key === key);
  if (seen) {
    if (seen.member !== input.member) return refuse("reference_conflict", "referenceId");
    if (JSON.stringify(seen.request) !== JSON.stringify(request)) return refuse("idempotency_conflict", seen.points !== input.points ? "points" : "ttlSeconds");
    return view(state, seen, true);
  }
  const expiresAt = state.now + (input.ttlSeconds ?? state.config.holdTtlSeconds) * 1000;
  const can = member.balance <= 0 ? 0 : holdable(state, input.member, expiresAt);
  if (input.points > can) return refuse("insufficient_points", "points");
  const hold: Hold = { key, member: input.member, points: input.points, expiresAt, status: "active", capture: null, request };
  state.holds.push(hold);
  return view(state, hold, false);
}

/**
 * § Holds, Capture: a redemption of at most the held points under the capture's reference, FIFO like
 * any redemption. A replay (same reference and points) answers the capture as a duplicate; another
 * reference → conflict; other points → idempotency_conflict; voided → conflict; expired → hold_expired.
 */
export function captureHold(state: ModelState, input: CaptureInput): HoldAnswer {
  if (input.points !== undefined && !wholePoints(input.points)) return refuse("validation_failed", "points");
  const hold = input.hold === null ? undefined : state.holds.find((h) => h.key === input.hold);
  if (!hold) return refuse("hold_not_found", "holdId");
  const points = input.points ?? hold.points;
  if (hold.status === "captured") {
    const redemption = state.byKey.get(hold.capture!)!;
    if (redemption.key !== `redemption:${input.ref}`) return refuse("conflict", "holdId");
    if (-redemption.amount !== points) return refuse("idempotency_conflict", "points");
    return captured(state, hold, redemption.key, points, true);
  }
  if (hold.status === "voided") return refuse("conflict", "holdId");
  if (!isLiveHold(hold, state.now)) return refuse("hold_expired", "holdId");
  if (points > hold.points) return refuse("validation_failed", "points");
  // (silent) A capture whose reference an earlier redemption of the same request already took is not
  // that redemption's replay: idempotency_conflict on referenceId (the system's choice).
  const redeemed: BalanceAnswer = redeem(state, { member: hold.member, ref: input.ref, points }, hold);
  if (!redeemed.ok) return redeemed;
  if (redeemed.duplicate) return refuse("idempotency_conflict", "referenceId");
  hold.status = "captured";
  hold.capture = redeemed.transaction;
  return captured(state, hold, redeemed.transaction, points, false);
}

function captured(state: ModelState, hold: Hold, transaction: string, points: number, duplicate: boolean): HoldAnswer {
  return { ...(view(state, hold, duplicate) as Extract<HoldAnswer, { ok: true }>), transaction, capturedPoints: points, releasedPoints: hold.points - points };
}

/** § Holds, Void: releases the points; again → the same answer, duplicate; a captured hold → conflict. An expired one is voided too (silent). */
export function voidHold(state: ModelState, input: { hold: string | null }): HoldAnswer {
  const hold = input.hold === null ? undefined : state.holds.find((h) => h.key === input.hold);
  if (!hold) return refuse("hold_not_found", "holdId");
  if (hold.status === "captured") return refuse("conflict", "holdId");
  if (hold.status === "voided") return view(state, hold, true);
  hold.status = "voided";
  return view(state, hold, false);
}

// ---------------------------------------------------------------------------------------------
// Transfers

export interface TransferInput {
  from: string;
  to: string;
  ref: string;
  points: number;
}
export type TransferAnswer = { ok: true; transaction: string; points: number; to: string; available: number; duplicate: boolean } | Refusal;

/**
 * § Transfers between members. Checked in the system's order (silent): points, oneself, the members,
 * the replay, the limits, the balance. The sender's `adjust` debit takes its redeemable lots soonest
 * first; the receiver gets one `adjust` lot per lot they came from, keeping its expiry, after paying
 * back its debt. Neither earned nor redeemed.
 */
export function transfer(state: ModelState, input: TransferInput): TransferAnswer {
  if (!wholePoints(input.points)) return refuse("validation_failed", "points");
  if (input.from === input.to) return refuse("unprocessable", "toMemberExternalId");
  const from = state.members.get(input.from);
  if (!from) return refuse("member_not_found");
  const to = state.members.get(input.to);
  if (!to) return refuse("member_not_found");
  const key = `transfer:${input.ref}`;
  const request: [string, string | number][] = [
    ["member", input.from],
    ["to", input.to],
    ["points", input.points],
  ];
  const seen = state.byKey.get(key);
  if (seen) {
    if (seen.member !== input.from) return refuse("reference_conflict", "referenceId");
    if (JSON.stringify(seen.request) !== JSON.stringify(request))
      return refuse("idempotency_conflict", -seen.amount !== input.points ? "points" : "toMemberExternalId");
    return { ok: true, transaction: key, points: input.points, to: input.to, available: availablePoints(state, input.from), duplicate: true };
  }
  if (input.points > state.config.transferMaxPoints) return refuse("limit_exceeded", "points");
  const sentToday = state.rows
    .filter((r) => r.member === input.from && r.key.startsWith("transfer:") && r.occurredAt > state.now - DAY)
    .reduce((s, r) => s - r.amount, 0);
  if (sentToday + input.points > state.config.transferDailyMaxPoints) return refuse("limit_exceeded", "points");
  const redeemable = redeemableLots(state, input.from).reduce((s, l) => s + l.remaining!, 0) - heldPoints(state, input.from);
  if (from.balance <= 0 || input.points > redeemable) return refuse("insufficient_points", "points");

  const base = { type: "adjust" as const, spend: null, multiplierTt: SCALE, campaign: null, reward: null, occurredAt: state.now };
  addRow(state, { ...base, key, member: input.from, amount: -input.points, related: null, expiresAt: null, remaining: null, request });
  const { taken } = takeFromLots(state, key, input.from, input.points, { includeExpired: false });
  const kept = repayDebt(
    taken.map((t) => t.points),
    to.balance,
  );
  taken.forEach((t, i) =>
    addRow(state, {
      ...base,
      key: `transfer_in:${input.ref}:${i + 1}`,
      member: input.to,
      amount: t.points,
      related: key,
      expiresAt: t.lot.expiresAt,
      remaining: kept[i]!,
      vestsAt: null,
    }),
  );
  from.balance -= input.points;
  to.balance += input.points;
  return { ok: true, transaction: key, points: input.points, to: input.to, available: availablePoints(state, input.from), duplicate: false };
}

// ---------------------------------------------------------------------------------------------
// Pending points: the vesting job and the return window

/** § Pending points: the job records each lot vested by now once, with the points it had left. */
export function vestPoints(state: ModelState): { lotsVested: number; pointsVested: number; membersAffected: number } {
  const members = new Set<string>();
  let lots = 0;
  let points = 0;
  for (const lot of state.rows) {
    if (lot.vestsAt == null || lot.vestsAt > state.now || state.vestings.has(lot.key)) continue;
    state.vestings.set(lot.key, lot.remaining ?? 0);
    members.add(lot.member);
    lots++;
    points += lot.remaining ?? 0;
  }
  return { lotsVested: lots, pointsVested: points, membersAffected: members.size };
}

/** "A new pending_days applies to purchases recorded from then on." */
export function setPendingDays(state: ModelState, days: number): void {
  state.pendingDays = days;
}
