import type { Db } from "@/db/client";
import { applyBalanceDeltas, lockBalances } from "@/db/queries/balances";
import { insertAllocations, openLots, setLotRemaining } from "@/db/queries/lots";
import { findByReferences } from "@/db/queries/transactions";
import { pointTransactions } from "@/db/schema";
import type { GuardedContext } from "./four-eyes-guards";
import { writeAudit } from "../audit/audit-log";
import { availableNow } from "../members/read-available-points";
import { refusePersonalData } from "../members/personal-data";
import { LoyaltyError } from "../errors";
import { MAX_POINTS, referenceIdSchema } from "../accrual/event-input";
import { notifyMembersChanged } from "../ledger/members-changed";
import { checkReason } from "./check-reason";
import { resolveMember } from "../redemption/redeem-points";
import { expiresAtFor } from "../rules/expiry";
import { allocateFifo, repayDebtFrom } from "../rules/fifo";
import { getProgramSettings } from "../program/get-program-settings";
import { requestFingerprint } from "../ledger/request-fingerprint";
import { RetryTransaction, withTransactionRetry } from "../ledger/transaction-retry";

export { reverseTransaction, type ReverseInput, type ReverseResult } from "./reverse-transaction";
export { MAX_REASON_LENGTH } from "./check-reason";

export const ADJUSTMENT_REFERENCE_TYPE = "adjustment";
export interface AdjustInput {
  memberId: number;
  /** Signed, non-zero. */
  points: number;
  reason: string;
  referenceId: string;
  /** A debit may take the balance below zero only when this is set. */
  allowNegativeBalance?: boolean;
}

export interface AdjustResult {
  transactionId: number;
  points: number;
  availablePoints: number;
  duplicate: boolean;
}

/**
 * A staff correction, in one transaction with its audit entry. A credit is a new lot (type
 * 'adjust', expiring like earned points, paying back any negative balance first); a debit consumes
 * the open lots oldest first and refuses to go below zero unless `allowNegativeBalance`.
 */
/** `ctx.guard` (four-eyes, lib/loyalty/adjustments/four-eyes-guards.ts) runs under the balance lock right before the write. */
export async function adjustPoints(db: Db, input: AdjustInput, ctx: GuardedContext): Promise<AdjustResult> {
  const now = ctx.now ?? new Date();
  const { points } = input;
  if (!Number.isSafeInteger(points) || points === 0 || Math.abs(points) > MAX_POINTS) {
    throw new LoyaltyError("validation_failed", `points must be a non-zero whole number up to ±${MAX_POINTS}.`, { field: "points" });
  }
  const reason = checkReason(input.reason);
  const referenceId = referenceIdSchema.safeParse(input.referenceId);
  if (!referenceId.success) throw new LoyaltyError("validation_failed", `referenceId ${referenceId.error.issues[0]!.message}`, { field: "referenceId" });

  const { result, changed } = await withTransactionRetry(() =>
    db.transaction(async (tx) => {
      const member = await resolveMember(tx, { memberId: input.memberId });
      // The reason becomes the ledger row's description, permanent under the hash chain.
      await refusePersonalData(tx, member.id, reason);
      const balance = (await lockBalances(tx, [member.id])).get(member.id) ?? 0;
      const lots = await openLots(tx, [member.id], { lock: true });
      const [previous] = await findByReferences(tx, [{ referenceType: ADJUSTMENT_REFERENCE_TYPE, referenceId: referenceId.data }]);
      const fingerprint = requestFingerprint([
        ["member", member.id],
        ["points", points],
        ["reason", reason],
        ["allowNegativeBalance", input.allowNegativeBalance ?? false],
      ]);
      if (previous) {
        if (previous.memberId !== member.id) {
          throw new LoyaltyError("reference_conflict", "This referenceId was already used for another member.", { field: "referenceId" });
        }
        if (previous.requestFingerprint && previous.requestFingerprint !== fingerprint) {
          const field = previous.amount !== points ? "points" : previous.description !== reason ? "reason" : "allowNegativeBalance";
          throw new LoyaltyError("idempotency_conflict", `This referenceId was already used for another adjustment (its ${field} differs).`, { field });
        }
        return {
          changed: false,
          result: { transactionId: previous.id, points: previous.amount, availablePoints: await availableNow(tx, member.id, balance, now), duplicate: true },
        };
      }
      await ctx.guard?.(tx, { memberId: member.id, points, referenceType: ADJUSTMENT_REFERENCE_TYPE, referenceId: referenceId.data });

      const row = {
        memberId: member.id,
        type: "adjust" as const,
        amount: points,
        referenceType: ADJUSTMENT_REFERENCE_TYPE,
        referenceId: referenceId.data,
        description: reason,
        createdBy: ctx.actor,
        occurredAt: now,
        requestFingerprint: fingerprint,
      };
      let allocations: { lotId: number; points: number }[] = [];
      let values;
      if (points > 0) {
        const settings = await getProgramSettings(tx);
        values = { ...row, expiresAt: expiresAtFor(now, settings.expiryMonths), remaining: repayDebtFrom([points], balance).kept[0]! };
      } else {
        if (balance + points < 0 && !input.allowNegativeBalance) {
          throw new LoyaltyError("negative_balance", `This would take the balance from ${balance} to ${balance + points}.`, {
            field: "points",
            details: { available: balance, requested: -points },
          });
        }
        allocations = allocateFifo(lots, -points, { now, includeExpired: true }).allocations;
        values = row;
      }
      const [inserted] = await tx.insert(pointTransactions).values(values).onConflictDoNothing().returning({ id: pointTransactions.id });
      if (!inserted) throw new RetryTransaction("the adjustment reference was taken concurrently");
      const byId = new Map(lots.map((l) => [l.id, l]));
      await setLotRemaining(tx, new Map(allocations.map((a) => [a.lotId, byId.get(a.lotId)!.remaining - a.points])));
      await insertAllocations(
        tx,
        allocations.map((a) => ({ transactionId: inserted.id, ...a })),
      );
      await applyBalanceDeltas(tx, new Map([[member.id, points]]));
      await writeAudit(tx, {
        actor: ctx.actor,
        action: "points.adjust",
        targetType: "member",
        targetId: member.id,
        memberId: member.id,
        reason,
        before: { availablePoints: balance },
        after: { availablePoints: balance + points, points, transactionId: inserted.id, referenceId: referenceId.data },
      });
      // Read after the writes: the lots a debit took may have been past due, pending or held.
      return {
        changed: true,
        result: { transactionId: inserted.id, points, availablePoints: await availableNow(tx, member.id, balance + points, now), duplicate: false },
      };
    }),
  );
  if (changed) await notifyMembersChanged([input.memberId]);
  return result;
}
