import { and, eq, inArray, sql } from "drizzle-orm";
import { queryRows, type Db, type Tx } from "@/db/client";
import { applyBalanceChanges, lockBalances } from "@/db/queries/balances";
import { allocationsOf, insertAllocations, openLots, setLotRemaining } from "@/db/queries/lots";
import { findByReferences, getTransaction, givenBackSoFar } from "@/db/queries/transactions";
import { pointTransactions, type NewPointTransaction, type PointTransaction } from "@/db/schema";
import type { GuardedContext } from "./four-eyes-guards";
import { refusePersonalData } from "../members/personal-data";
import { checkReason } from "./check-reason";
import { writeAudit } from "../audit/audit-log";
import { LoyaltyError } from "../errors";
import { referenceIdSchema } from "../accrual/event-input";
import { notifyMembersChanged } from "../ledger/members-changed";
import { restockReversedReward } from "./restock-reversed-reward";
import { expiresAtFor } from "../rules/expiry";
import { availableNow } from "../members/read-available-points";
import { allocateFifo, compareLots, repayDebtFrom } from "../rules/fifo";
import { purchaseSpendChange } from "../rules/tiers";
import { totalsDelta } from "../rules/totals";
import { getProgramSettings } from "../program/get-program-settings";
import { tierWindowStart } from "../rules/tier-thresholds";
import { TRANSFER_IN_REFERENCE_TYPE, TRANSFER_REFERENCE_TYPE } from "../transfers/transfer-points";
import { RetryTransaction, withTransactionRetry } from "../ledger/transaction-retry";

export const REVERSAL_REFERENCE_TYPE = "reversal";

export interface ReverseInput {
  transactionId: number;
  reason: string;
  /** The caller's idempotency key: a replay with the same key answers the first reversal. */
  referenceId?: string;
}

export interface ReverseResult {
  transactionId: number;
  reversedTransactionId: number;
  /** Signed change of the balance. */
  points: number;
  availablePoints: number;
  duplicate: boolean;
}

interface Planned {
  row: Omit<NewPointTransaction, "memberId" | "referenceType" | "referenceId" | "createdBy" | "occurredAt">;
  allocations: { lotId: number; points: number }[];
  lotUpdates: Map<number, number>;
  /** What the row changes in the live tier spend. */
  tierSpend: number;
}

/**
 * Taking back a credit (an earn or a positive adjustment): what it has not given back yet (its
 * refunds, and points its lot lost to expiry, are never taken twice), its own lot first, then the
 * others FIFO; a shortfall goes negative. A purchase's reversal also removes the spend its refunds
 * have not, from the tier spend while the purchase is in the window.
 */
async function planDebit(tx: Tx, target: PointTransaction, now: Date): Promise<Planned> {
  const done = (await givenBackSoFar(tx, [target.id])).get(target.id) ?? { refundedCents: 0, removedCents: 0, takenPoints: 0 };
  const points = Math.max(0, target.amount - done.takenPoints);
  let spend: number | null = null;
  let tierSpend = 0;
  if (target.referenceType === "purchase" && target.spendAmount !== null) {
    spend = Math.max(0, target.spendAmount - done.removedCents);
    if (spend === 0 && done.refundedCents >= target.spendAmount) {
      throw new LoyaltyError("already_reversed", "This purchase has already been refunded in full.");
    }
    tierSpend = purchaseSpendChange({
      purchaseCents: target.spendAmount,
      purchaseOccurredAt: target.occurredAt,
      removedBefore: done.removedCents,
      removedNow: spend,
      windowStart: tierWindowStart(now, (await getProgramSettings(tx)).tierQualificationMonths),
    });
  } else if (points === 0) {
    throw new LoyaltyError("already_reversed", "Nothing of this credit is left to take back: its points have expired.", { field: "transactionId" });
  }
  const lots = await openLots(tx, [target.memberId], { lock: true });
  const { allocations } = allocateFifo(lots, points, { now, includeExpired: true, preferLotId: target.id });
  const byId = new Map(lots.map((l) => [l.id, l]));
  return {
    row: {
      type: "reverse",
      amount: points === 0 ? 0 : -points,
      spendAmount: spend === null ? null : -spend,
      multiplier: target.multiplier,
      campaignId: target.campaignId,
    },
    allocations,
    lotUpdates: new Map(allocations.map((a) => [a.lotId, byId.get(a.lotId)!.remaining - a.points])),
    tierSpend,
  };
}

/**
 * Giving back a debit (a redemption or a negative adjustment): exactly the lots it consumed get their
 * points back, even a lot that has expired since (the expiry job then expires it). Whatever the debit
 * took beyond its lots (a negative adjustment into debt) comes back as a new lot on the reversal row.
 * An outstanding negative balance is repaid first, from the soonest-expiring points.
 */
async function planCredit(tx: Tx, target: PointTransaction, balance: number, now: Date): Promise<Planned> {
  const credit = -target.amount;
  const allocations = await allocationsOf(tx, target.id);
  const lotIds = allocations.map((a) => a.lotId);
  const lots =
    lotIds.length === 0
      ? []
      : await tx
          .select({ id: pointTransactions.id, expiresAt: pointTransactions.expiresAt, remaining: pointTransactions.remaining })
          .from(pointTransactions)
          .where(and(inArray(pointTransactions.id, lotIds), eq(pointTransactions.memberId, target.memberId)))
          .orderBy(pointTransactions.expiresAt, pointTransactions.id)
          .for("update");
  const byLot = new Map(allocations.map((a) => [a.lotId, a.points]));
  const ordered = lots.map((l) => ({ id: l.id, expiresAt: l.expiresAt!, remaining: l.remaining! })).sort(compareLots);
  const extra = credit - allocations.reduce((s, a) => s + a.points, 0);
  const { kept } = repayDebtFrom([...ordered.map((l) => byLot.get(l.id)!), extra], balance);
  const lotUpdates = new Map(ordered.map((l, i) => [l.id, l.remaining + kept[i]!]));
  const extraKept = kept[kept.length - 1]!;
  const lot = extraKept > 0 ? { expiresAt: expiresAtFor(now, (await getProgramSettings(tx)).expiryMonths), remaining: extraKept } : {};
  await restockReversedReward(tx, target, now);
  return { row: { type: "reverse", amount: credit, ...lot }, allocations: [], lotUpdates, tierSpend: 0 };
}

async function previousReversal(tx: Tx, target: PointTransaction, referenceId: string | undefined) {
  const [previous] = await findByReferences(tx, [{ referenceType: REVERSAL_REFERENCE_TYPE, referenceId: String(target.id) }]);
  if (!previous) return null;
  if (referenceId !== undefined) {
    const [audit] = await queryRows<{ reference_id: string | null }>(
      tx,
      sql`SELECT after->>'referenceId' AS reference_id FROM audit_log
          WHERE member_id = ${target.memberId} AND action = 'points.reverse' AND target_id = ${String(target.id)}
          ORDER BY id DESC LIMIT 1`,
    );
    if (audit?.reference_id === referenceId) return previous;
  }
  throw new LoyaltyError("already_reversed", `Transaction ${target.id} was already reversed by transaction ${previous.id}.`, {
    details: { reversalTransactionId: previous.id },
  });
}

/**
 * Reverses one ledger row, once (the reversal's reference is the reversed row's id). Earns and
 * positive adjustments are taken back like a full refund (a purchase: what its refunds have not
 * taken yet); redemptions and negative adjustments are given back to the lots they consumed.
 * Expiries, refunds and reversals cannot be reversed. Writes the audit entry in the same transaction.
 */
export async function reverseTransaction(db: Db, input: ReverseInput, ctx: GuardedContext): Promise<ReverseResult> {
  const now = ctx.now ?? new Date();
  const reason = checkReason(input.reason);
  if (input.referenceId !== undefined && !referenceIdSchema.safeParse(input.referenceId).success) {
    throw new LoyaltyError("validation_failed", "referenceId is not a valid reference.", { field: "referenceId" });
  }
  const { result, memberId } = await withTransactionRetry(() =>
    db.transaction(async (tx) => {
      const target = Number.isSafeInteger(input.transactionId) ? await getTransaction(tx, input.transactionId) : null;
      if (!target) throw new LoyaltyError("transaction_not_found", "No such transaction.", { field: "transactionId" });
      // The reason becomes the reversal row's description, permanent under the hash chain.
      await refusePersonalData(tx, target.memberId, reason);
      const balance = (await lockBalances(tx, [target.memberId])).get(target.memberId) ?? 0;
      const previous = await previousReversal(tx, target, input.referenceId);
      if (previous) {
        const available = await availableNow(tx, target.memberId, balance ?? 0, now);
        return {
          memberId: null,
          result: { transactionId: previous.id, reversedTransactionId: target.id, points: previous.amount, availablePoints: available, duplicate: true },
        };
      }

      if (target.referenceType === TRANSFER_REFERENCE_TYPE || target.referenceType === TRANSFER_IN_REFERENCE_TYPE) {
        throw new LoyaltyError("unprocessable", "A transfer is not reversed one side at a time: transfer the points back instead.", { field: "transactionId" });
      }
      let planned: Planned;
      if ((target.type === "earn" && target.amount >= 0) || (target.type === "adjust" && target.amount > 0)) planned = await planDebit(tx, target, now);
      else if (target.type === "redeem" || (target.type === "adjust" && target.amount < 0)) planned = await planCredit(tx, target, balance, now);
      else throw new LoyaltyError("unprocessable", `A transaction of type ${target.type} cannot be reversed.`, { field: "transactionId" });
      await ctx.guard?.(tx, {
        memberId: target.memberId,
        points: planned.row.amount,
        referenceType: REVERSAL_REFERENCE_TYPE,
        referenceId: String(target.id),
        reverses: target,
      });

      const [inserted] = await tx
        .insert(pointTransactions)
        .values({
          ...planned.row,
          memberId: target.memberId,
          referenceType: REVERSAL_REFERENCE_TYPE,
          referenceId: String(target.id),
          relatedTransactionId: target.id,
          description: reason,
          createdBy: ctx.actor,
          occurredAt: now,
        })
        .onConflictDoNothing()
        .returning({ id: pointTransactions.id });
      if (!inserted) throw new RetryTransaction("the transaction was reversed concurrently");
      const amount = planned.row.amount;
      await setLotRemaining(tx, planned.lotUpdates);
      await insertAllocations(
        tx,
        planned.allocations.map((a) => ({ transactionId: inserted.id, ...a })),
      );
      await applyBalanceChanges(tx, new Map([[target.memberId, { points: amount, ...totalsDelta("reverse", amount, target.type), spend: planned.tierSpend }]]));
      await writeAudit(tx, {
        actor: ctx.actor,
        action: "points.reverse",
        targetType: "transaction",
        targetId: target.id,
        memberId: target.memberId,
        reason,
        before: { availablePoints: balance },
        after: { availablePoints: balance + amount, points: amount, transactionId: inserted.id, referenceId: input.referenceId ?? null },
      });
      const available = await availableNow(tx, target.memberId, balance + amount, now);
      return {
        memberId: target.memberId,
        result: { transactionId: inserted.id, reversedTransactionId: target.id, points: amount, availablePoints: available, duplicate: false },
      };
    }),
  );
  if (memberId !== null) await notifyMembersChanged([memberId]);
  return result;
}
