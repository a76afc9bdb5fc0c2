import { sql } from "drizzle-orm";
import { queryRows, type Db, type Tx } from "@/db/client";
import { applyBalanceChanges, lockBalances } from "@/db/queries/balances";
import { liveHolds } from "@/db/queries/holds";
import { insertAllocations, openLots, setLotRemaining } from "@/db/queries/lots";
import { getMemberByExternalId } from "@/db/queries/members";
import { findByReferences } from "@/db/queries/transactions";
import { pointTransactions } from "@/db/schema";
import type { LedgerContext } from "../accrual/record-events";
import { LoyaltyError } from "../errors";
import { MAX_POINTS, referenceIdSchema } from "../accrual/event-input";
import { notifyMembersChanged } from "../ledger/members-changed";
import { requestFingerprint } from "../ledger/request-fingerprint";
import { availableOf } from "../members/read-available-points";
import { allocateFifo, compareLots, repayDebtFrom, unexpiredPoints } from "../rules/fifo";
import { heldPoints } from "../rules/holds";
import { getProgramSettings } from "../program/get-program-settings";
import { RetryTransaction, withTransactionRetry } from "../ledger/transaction-retry";

/** The sender's row; the receiver's rows are TRANSFER_IN_REFERENCE_TYPE, one per lot the points came from. */
export const TRANSFER_REFERENCE_TYPE = "transfer";
export const TRANSFER_IN_REFERENCE_TYPE = "transfer_in";
const DAY_MS = 24 * 60 * 60 * 1000;

export interface TransferInput {
  fromMemberExternalId: string;
  toMemberExternalId: string;
  points: number;
  referenceId: string;
}

export interface TransferResult {
  /** The sender's ledger row. */
  transactionId: number;
  points: number;
  toMemberExternalId: string;
  /** What the sender can redeem after the transfer (on a replay: now). */
  availablePoints: number;
  duplicate: boolean;
}

/** Points the sender moved away over the 24 hours before `now` (their transfer rows). */
async function transferredSince(tx: Tx, memberId: number, now: Date): Promise<number> {
  const [row] = await queryRows<{ points: string | number }>(
    tx,
    sql`SELECT coalesce(sum(-amount), 0) AS points FROM point_transactions
        WHERE member_id = ${memberId} AND reference_type = ${TRANSFER_REFERENCE_TYPE}
          AND occurred_at > ${new Date(now.getTime() - DAY_MS).toISOString()}::timestamptz`,
  );
  return Number(row?.points ?? 0);
}

/**
 * Moves points from one member to another in one transaction, both balance rows locked in member-id
 * order. Only the sender's redeemable points move (unexpired, vested, not held), oldest-expiring
 * first; the receiver gets them as lots that keep their expiry (one row per lot they came from), so
 * a transfer never extends a point's life, and a negative balance of the receiver is paid back
 * first. Limits from the programme: per transfer, and per sender over a rolling 24 hours. Both are
 * `adjust` rows (neither earned nor redeemed) under reference type `transfer` / `transfer_in`.
 * Idempotent by the sender's referenceId.
 */
export async function transferPoints(db: Db, input: TransferInput, ctx: LedgerContext): Promise<TransferResult> {
  const now = ctx.now ?? new Date();
  const parsed = referenceIdSchema.safeParse(input.referenceId);
  if (!parsed.success) throw new LoyaltyError("validation_failed", `referenceId ${parsed.error.issues[0]!.message}`, { field: "referenceId" });
  const referenceId = parsed.data;
  const { points } = input;
  if (!Number.isSafeInteger(points) || points < 1 || points > MAX_POINTS) {
    throw new LoyaltyError("validation_failed", `points must be a whole number between 1 and ${MAX_POINTS}.`, { field: "points" });
  }
  if (input.fromMemberExternalId === input.toMemberExternalId) {
    throw new LoyaltyError("unprocessable", "A member cannot transfer points to themselves.", { field: "toMemberExternalId" });
  }

  const { result, memberIds } = await withTransactionRetry(() =>
    db.transaction(async (tx) => {
      const [from, to] = await Promise.all([getMemberByExternalId(tx, input.fromMemberExternalId), getMemberByExternalId(tx, input.toMemberExternalId)]);
      // An erased member sends and receives nothing (docs/privacy.md).
      if (!from || from.erasedAt) throw new LoyaltyError("member_not_found", "No such member.", { field: "memberExternalId" });
      if (!to || to.erasedAt)
        throw new LoyaltyError("member_not_found", `No member with externalId ${input.toMemberExternalId}.`, { field: "toMemberExternalId" });
      const balances = await lockBalances(tx, [from.id, to.id]);
      const fromBalance = balances.get(from.id) ?? 0;
      const toBalance = balances.get(to.id) ?? 0;
      const [lots, holds, [previous]] = await Promise.all([
        openLots(tx, [from.id], { lock: true }),
        liveHolds(tx, from.id, now),
        findByReferences(tx, [{ referenceType: TRANSFER_REFERENCE_TYPE, referenceId }]),
      ]);
      const held = heldPoints(holds, now);
      const fingerprint = requestFingerprint([
        ["member", from.id],
        ["to", to.id],
        ["points", points],
      ]);
      if (previous) {
        if (previous.memberId !== from.id) {
          throw new LoyaltyError("reference_conflict", "This referenceId was already used for another member.", { field: "referenceId" });
        }
        if (previous.requestFingerprint !== fingerprint) {
          const field = -previous.amount !== points ? "points" : "toMemberExternalId";
          throw new LoyaltyError("idempotency_conflict", `This referenceId was already used for another transfer (its ${field} differs).`, { field });
        }
        const result = {
          transactionId: previous.id,
          points,
          toMemberExternalId: to.externalId,
          availablePoints: availableOf(fromBalance, lots, holds, now),
          duplicate: true,
        };
        return { memberIds: [] as number[], result };
      }

      const settings = await getProgramSettings(tx);
      if (points > settings.transferMaxPoints) {
        throw new LoyaltyError("limit_exceeded", `A transfer may move at most ${settings.transferMaxPoints} points.`, { field: "points" });
      }
      const sentToday = await transferredSince(tx, from.id, now);
      if (sentToday + points > settings.transferDailyMaxPoints) {
        throw new LoyaltyError("limit_exceeded", `At most ${settings.transferDailyMaxPoints} points may be transferred in 24 hours (${sentToday} already).`, {
          field: "points",
          details: { sentToday, limit: settings.transferDailyMaxPoints },
        });
      }
      const redeemable = unexpiredPoints(lots, now) - held;
      if (fromBalance <= 0 || points > redeemable) {
        throw new LoyaltyError("insufficient_points", `Only ${Math.max(0, redeemable)} points can be transferred.`, { field: "points" });
      }

      const { allocations } = allocateFifo(lots, points, { now });
      const byId = new Map(lots.map((l) => [l.id, l]));
      const [sent] = await tx
        .insert(pointTransactions)
        .values({
          memberId: from.id,
          type: "adjust",
          amount: -points,
          referenceType: TRANSFER_REFERENCE_TYPE,
          referenceId,
          description: `Transfer to ${to.externalId}`,
          createdBy: ctx.actor,
          occurredAt: now,
          requestFingerprint: fingerprint,
        })
        .onConflictDoNothing()
        .returning({ id: pointTransactions.id });
      if (!sent) throw new RetryTransaction("the transfer reference was taken concurrently");
      // The receiver's lots keep the expiry of the lots the points came from, soonest first.
      const portions = allocations
        .map((a) => ({ ...a, expiresAt: byId.get(a.lotId)!.expiresAt }))
        .sort((a, b) => compareLots({ id: a.lotId, expiresAt: a.expiresAt }, { id: b.lotId, expiresAt: b.expiresAt }));
      const { kept } = repayDebtFrom(
        portions.map((p) => p.points),
        toBalance,
      );
      await tx.insert(pointTransactions).values(
        portions.map((p, i) => ({
          memberId: to.id,
          type: "adjust" as const,
          amount: p.points,
          referenceType: TRANSFER_IN_REFERENCE_TYPE,
          referenceId: `${referenceId}:${i + 1}`,
          relatedTransactionId: sent.id,
          description: `Transfer from ${from.externalId}`,
          createdBy: ctx.actor,
          occurredAt: now,
          expiresAt: p.expiresAt,
          remaining: kept[i]!,
        })),
      );
      await setLotRemaining(tx, new Map(allocations.map((a) => [a.lotId, byId.get(a.lotId)!.remaining - a.points])));
      await insertAllocations(
        tx,
        allocations.map((a) => ({ transactionId: sent.id, ...a })),
      );
      await applyBalanceChanges(
        tx,
        new Map([
          [from.id, { points: -points, earned: 0, redeemed: 0, spend: 0 }],
          [to.id, { points, earned: 0, redeemed: 0, spend: 0 }],
        ]),
      );
      // The transfer took unexpired, vested points only: what is past due or pending is as it was.
      const result = {
        transactionId: sent.id,
        points,
        toMemberExternalId: to.externalId,
        availablePoints: availableOf(fromBalance - points, lots, holds, now),
        duplicate: false,
      };
      return { memberIds: [from.id, to.id], result };
    }),
  );
  if (memberIds.length > 0) await notifyMembersChanged(memberIds);
  return result;
}
