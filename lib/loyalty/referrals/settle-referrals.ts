import type { Tx } from "@/db/client";
import type { BalanceChange } from "@/db/queries/balances";
import { lockBalances } from "@/db/queries/balances";
import { insertLedgerRows } from "@/db/queries/ledger-rows";
import { insertAllocations, openLots, setLotRemaining } from "@/db/queries/lots";
import {
  emailsOfMembers,
  insertReferral,
  membersByReferralCode,
  membersWithRowsBefore,
  referralsToDecide,
  refereesWithRecords,
  rewardedSince,
  updateReferral,
} from "@/db/queries/referrals";
import { getTransaction, givenBackSoFar } from "@/db/queries/transactions";
import type { NewPointTransaction, Referral } from "@/db/schema";
import type { AcceptedEvent, AccrualPlan, PlannedRow } from "../accrual/plan-accrual";
import { reserveIds } from "../accrual/load-accrual-context";
import { expiresAtFor } from "../rules/expiry";
import { allocateFifo, repayDebtFrom, type Allocation, type LotState } from "../rules/fifo";
import {
  attributionRefusal,
  monthlyLimitReached,
  normalizeReferralCode,
  refundWithinWindow,
  rewardReversalPoints,
  utcMonthStart,
  type ReferralOutcome,
} from "../rules/referrals";
import { totalsDelta } from "../rules/totals";
import { getProgramSettings } from "../program/get-program-settings";

/**
 * The referral step of a batch (docs/ledger.md, Referrals), run inside recordEvents' transaction
 * after the plan is written, under the batch's balance locks: attributions by a purchase's
 * `referralCode`, rewards on a referee's first qualifying purchase (monthly limit), reversals when
 * that purchase is refunded within the window. The facts it needs are read in the same pipeline
 * as the plan's writes (`gatherReferralFacts`); a batch with no referral to decide costs that one
 * indexed statement and nothing else.
 */

interface NewPurchase {
  index: number;
  memberId: number;
  row: PlannedRow["row"];
  code?: string | null;
}

export interface ReferralFacts {
  purchases: NewPurchase[];
  refunds: { index: number; memberId: number; row: PlannedRow["row"] }[];
  decidable: Referral[];
  referrersByCode: Map<string, { id: number; code: string }>;
  withRecords: Set<number>;
  rowsBefore: Set<number>;
  emails: Map<number, string[]>;
}

function newRowsOf(events: readonly AcceptedEvent[], plan: AccrualPlan) {
  const rowById = new Map(plan.rows.map((p) => [p.row.id, p.row]));
  const purchases: NewPurchase[] = [];
  const refunds: ReferralFacts["refunds"] = [];
  for (const { index, event } of events) {
    const outcome = plan.outcomes.get(index);
    if (!outcome?.ok || outcome.status !== 201 || outcome.result.transactionId === null) continue;
    const row = rowById.get(outcome.result.transactionId);
    if (!row) continue;
    if (event.type === "purchase") {
      purchases.push({ index, memberId: row.memberId, row, code: event.referralCode === undefined ? undefined : normalizeReferralCode(event.referralCode) });
    } else if (event.type === "refund") refunds.push({ index, memberId: row.memberId, row });
  }
  return { purchases, refunds };
}

/** Null when the batch has no new purchase nor refund: then there is nothing to decide. */
export function gatherReferralFacts(tx: Tx, events: readonly AcceptedEvent[], plan: AccrualPlan): Promise<ReferralFacts> | null {
  const { purchases, refunds } = newRowsOf(events, plan);
  if (purchases.length === 0 && refunds.length === 0) return null;
  const coded = purchases.filter((p) => p.code !== undefined);
  const codes = coded.flatMap((p) => (p.code ? [p.code] : []));
  return (async () => {
    const [decidable, referrersByCode, withRecords, rowsBefore] = await Promise.all([
      referralsToDecide(
        tx,
        purchases.map((p) => p.memberId),
        refunds.map((r) => ({ memberId: r.memberId, purchaseId: r.row.relatedTransactionId! })),
      ),
      membersByReferralCode(tx, codes),
      refereesWithRecords(
        tx,
        coded.map((p) => p.memberId),
      ),
      membersWithRowsBefore(
        tx,
        coded.map((p) => ({ memberId: p.memberId, beforeId: p.row.id })),
      ),
    ]);
    const emails =
      codes.length > 0 ? await emailsOfMembers(tx, [...coded.map((p) => p.memberId), ...[...referrersByCode.values()].map((r) => r.id)]) : new Map();
    return { purchases, refunds, decidable, referrersByCode, withRecords, rowsBefore, emails };
  })();
}

const rewardRef = (side: "referrer" | "referee", refereeId: number) => ({ referenceType: `referral_${side}`, referenceId: String(refereeId) });

/**
 * Decides and writes the batch's referrals. Returns each affected event's referral outcome (by the
 * event's index) and the members whose balance it changed.
 */
export async function settleReferrals(
  tx: Tx,
  plan: AccrualPlan,
  facts: ReferralFacts,
  options: { actor: string; now: Date; bookAtOccurrence: boolean },
): Promise<{ outcomes: Map<number, ReferralOutcome>; changedMembers: number[] }> {
  const outcomes = new Map<number, ReferralOutcome>();
  const { now } = options;
  const batchRowsBefore = (memberId: number, id: number) => plan.rows.some((p) => p.row.memberId === memberId && p.row.id < id);

  // Attributions by a purchase's code: a record for each referee that has none.
  const records = new Map(facts.decidable.map((r) => [r.id, r]));
  const attributed = new Set(facts.withRecords);
  for (const p of facts.purchases) {
    if (p.code === undefined || attributed.has(p.memberId)) continue;
    const referrer = p.code === null ? undefined : facts.referrersByCode.get(p.code);
    if (!referrer) {
      outcomes.set(p.index, { status: "unknown_code" });
      continue;
    }
    const refusal = attributionRefusal({
      refereeId: p.memberId,
      referrerId: referrer.id,
      refereeEmails: facts.emails.get(p.memberId) ?? [],
      referrerEmails: facts.emails.get(referrer.id) ?? [],
      existedBefore: false,
      hadLedgerRows: facts.rowsBefore.has(p.memberId) || batchRowsBefore(p.memberId, p.row.id),
    });
    const { referral } = await insertReferral(tx, {
      referrerMemberId: referrer.id,
      refereeMemberId: p.memberId,
      code: referrer.code,
      source: "purchase",
      status: refusal ? "refused" : "pending",
      refusalReason: refusal,
      createdAt: now,
    });
    attributed.add(p.memberId);
    if (referral.status === "pending") records.set(referral.id, referral);
    else outcomes.set(p.index, { status: referral.status, ...(referral.refusalReason ? { reason: referral.refusalReason } : {}) });
  }

  // The first new purchase of each pending referee qualifies; refunds of rewarded purchases may reverse.
  const firstPurchase = new Map<number, NewPurchase>();
  for (const p of facts.purchases) if (!firstPurchase.has(p.memberId)) firstPurchase.set(p.memberId, p);
  const toReward = [...records.values()].filter((r) => r.status === "pending" && firstPurchase.has(r.refereeMemberId));
  const rewardedByPurchase = new Map([...records.values()].filter((r) => r.status === "rewarded").map((r) => [r.purchaseTransactionId!, r]));
  const refundsToReverse = () => facts.refunds.filter((f) => rewardedByPurchase.has(f.row.relatedTransactionId!));
  if (toReward.length === 0 && refundsToReverse().length === 0) return { outcomes, changedMembers: [] };

  const members = [...new Set([...toReward, ...rewardedByPurchase.values()].flatMap((r) => [r.referrerMemberId, r.refereeMemberId]))];
  const rewardRowIds = [...rewardedByPurchase.values()]
    .flatMap((r) => [r.referrerTransactionId, r.refereeTransactionId])
    .filter((id): id is number => id !== null);
  // The referrers' locks after the batch's own (see docs): then what the locks protect.
  const [settings, balances, rewarded, lotRows, givenBack, ids] = await Promise.all([
    getProgramSettings(tx),
    lockBalances(tx, members),
    rewardedSince(
      tx,
      toReward.map((r) => r.referrerMemberId),
      utcMonthStart(now),
    ),
    openLots(tx, members),
    givenBackSoFar(tx, rewardRowIds),
    reserveIds(tx, 2 * (toReward.length + facts.refunds.length)),
  ]);
  const lots = new Map<number, LotState[]>();
  for (const l of lotRows) {
    const list = lots.get(l.memberId) ?? [];
    list.push({ id: l.id, expiresAt: l.expiresAt, remaining: l.remaining, vestsAt: l.vestsAt });
    lots.set(l.memberId, list);
  }
  const preexisting = new Set(lotRows.map((l) => l.id));
  const rows: (NewPointTransaction & { id: number })[] = [];
  const allocations: { transactionId: number; lotId: number; points: number }[] = [];
  const lotUpdates = new Map<number, number>();
  const changes = new Map<number, BalanceChange>();
  const updates: { id: number; change: Parameters<typeof updateReferral>[2] }[] = [];
  let next = 0;

  const addRow = (row: Omit<NewPointTransaction, "id">) => {
    const id = ids[next++]!;
    const full = { ...row, id } as NewPointTransaction & { id: number };
    rows.push(full);
    const delta = totalsDelta(full.type, full.amount, full.type === "reverse" ? "earn" : null);
    const c = changes.get(full.memberId) ?? { points: 0, earned: 0, redeemed: 0, spend: 0 };
    c.points += full.amount;
    c.earned += delta.earned;
    c.redeemed += delta.redeemed;
    changes.set(full.memberId, c);
    balances.set(full.memberId, (balances.get(full.memberId) ?? 0) + full.amount);
    return full;
  };
  const base = {
    multiplier: 1,
    campaignId: null,
    rewardId: null,
    spendAmount: null,
    description: null,
    createdBy: options.actor,
    requestFingerprint: null,
    vestsAt: null,
    appliedRules: null,
  } as const;

  const credit = (memberId: number, side: "referrer" | "referee", refereeId: number, points: number, purchase: PlannedRow["row"]) => {
    if (points <= 0) return null;
    const expiresAt = expiresAtFor(purchase.occurredAt!, settings.expiryMonths);
    const remaining = repayDebtFrom([points], balances.get(memberId) ?? 0).kept[0]!;
    const row = addRow({
      ...base,
      memberId,
      type: "earn",
      amount: points,
      ...rewardRef(side, refereeId),
      relatedTransactionId: purchase.id,
      occurredAt: purchase.occurredAt!,
      expiresAt,
      remaining,
    });
    const list = lots.get(memberId) ?? [];
    list.push({ id: row.id, expiresAt, remaining, vestsAt: null });
    lots.set(memberId, list);
    return row;
  };

  const used = new Map(rewarded);
  for (const r of toReward) {
    const purchase = firstPurchase.get(r.refereeMemberId)!;
    const count = used.get(r.referrerMemberId) ?? 0;
    if (monthlyLimitReached(count, settings.referralMonthlyLimit)) {
      const change = { status: "refused" as const, refusalReason: "monthly_limit" as const, purchaseTransactionId: purchase.row.id };
      updates.push({ id: r.id, change });
      Object.assign(r, change);
      outcomes.set(purchase.index, { status: "refused", reason: "monthly_limit" });
      continue;
    }
    used.set(r.referrerMemberId, count + 1);
    const referrerRow = credit(r.referrerMemberId, "referrer", r.refereeMemberId, settings.referrerRewardPoints, purchase.row);
    const refereeRow = credit(r.refereeMemberId, "referee", r.refereeMemberId, settings.refereeRewardPoints, purchase.row);
    const change = {
      status: "rewarded" as const,
      purchaseTransactionId: purchase.row.id,
      rewardedAt: now,
      referrerTransactionId: referrerRow?.id ?? null,
      refereeTransactionId: refereeRow?.id ?? null,
      referrerPoints: referrerRow?.amount ?? 0,
      refereePoints: refereeRow?.amount ?? 0,
    };
    updates.push({ id: r.id, change });
    Object.assign(r, change);
    rewardedByPurchase.set(purchase.row.id, r);
    outcomes.set(purchase.index, { status: "rewarded", referrerPoints: change.referrerPoints, refereePoints: change.refereePoints });
  }

  // Reversals: the first refund of the qualifying purchase within the window.
  const rewardRows = new Map(rows.map((row) => [row.id, row]));
  for (const f of refundsToReverse()) {
    const r = rewardedByPurchase.get(f.row.relatedTransactionId!)!;
    if (r.status !== "rewarded") continue;
    const purchaseAt = plan.rows.find((p) => p.row.id === r.purchaseTransactionId)?.row.occurredAt ?? (await purchaseInstant(tx, r.purchaseTransactionId!));
    if (!refundWithinWindow(purchaseAt, f.row.occurredAt!, settings.referralRefundWindowDays)) {
      outcomes.set(f.index, { status: "rewarded", kept: true });
      continue;
    }
    const reverse = (side: "referrer" | "referee", memberId: number, rewardId: number | null, reward: number) => {
      if (rewardId === null || reward <= 0) return 0;
      const lost = givenBack.get(rewardId)?.takenPoints ?? 0;
      const points = rewardReversalPoints(reward, lost, balances.get(memberId) ?? 0);
      if (points === 0) return 0;
      const memberLots = lots.get(memberId) ?? [];
      const taken = allocateFifo(memberLots, points, { now: f.row.occurredAt!, includeExpired: true, preferLotId: rewardId }).allocations;
      const row = addRow({
        ...base,
        memberId,
        type: "reverse",
        amount: -points,
        referenceType: "referral_reversal",
        referenceId: `${r.refereeMemberId}:${side}`,
        relatedTransactionId: rewardId,
        occurredAt: f.row.occurredAt!,
        expiresAt: null,
        remaining: null,
      });
      takeFromLots(memberLots, taken, preexisting, lotUpdates, rewardRows);
      for (const a of taken) allocations.push({ transactionId: row.id, lotId: a.lotId, points: a.points });
      return points;
    };
    const referrerBack = reverse("referrer", r.referrerMemberId, r.referrerTransactionId, r.referrerPoints ?? 0);
    const refereeBack = reverse("referee", r.refereeMemberId, r.refereeTransactionId, r.refereePoints ?? 0);
    const change = { status: "reversed" as const, reversedAt: now, referrerPointsReversed: referrerBack, refereePointsReversed: refereeBack };
    updates.push({ id: r.id, change });
    Object.assign(r, change);
    outcomes.set(f.index, { status: "reversed", referrerPoints: -referrerBack, refereePoints: -refereeBack });
  }

  const settled = await Promise.allSettled([
    insertLedgerRows(tx, rows, { bookAtOccurrence: options.bookAtOccurrence, balanceChanges: changes }),
    setLotRemaining(tx, lotUpdates),
    insertAllocations(tx, allocations),
    // Issued after the rows they name (the records' foreign keys to the ledger).
    ...updates.map((u) => updateReferral(tx, u.id, u.change)),
  ]);
  const failed = settled.find((s) => s.status === "rejected");
  if (failed) throw failed.reason;
  return { outcomes, changedMembers: [...changes.keys()] };
}

function takeFromLots(
  memberLots: LotState[],
  taken: readonly Allocation[],
  preexisting: ReadonlySet<number>,
  lotUpdates: Map<number, number>,
  newRows: ReadonlyMap<number, NewPointTransaction & { id: number }>,
) {
  for (const a of taken) {
    const lot = memberLots.find((l) => l.id === a.lotId)!;
    lot.remaining -= a.points;
    if (preexisting.has(lot.id)) lotUpdates.set(lot.id, lot.remaining);
    else {
      const row = newRows.get(lot.id);
      if (row) row.remaining = lot.remaining;
    }
  }
}

async function purchaseInstant(tx: Tx, id: number): Promise<Date> {
  const row = await getTransaction(tx, id);
  return row!.occurredAt;
}
