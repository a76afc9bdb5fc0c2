import { and, eq, isNull, or, gt, sql } from "drizzle-orm";
import type { Db, Tx } from "@/db/client";
import { applyBalanceChanges, lockBalances } from "@/db/queries/balances";
import { insertAllocations, openLots, setLotRemaining } from "@/db/queries/lots";
import { getMemberByExternalId, getMemberById } from "@/db/queries/members";
import { couponCodeOf, issueCouponCode } from "@/db/queries/coupons";
import { liveHolds } from "@/db/queries/holds";
import { findByReferences } from "@/db/queries/transactions";
import { pointTransactions, rewards, type Member, type Reward } from "@/db/schema";
import type { LedgerContext } from "../accrual/record-events";
import { LoyaltyError } from "../errors";
import { MAX_POINTS, referenceIdSchema } from "../accrual/event-input";
import { notifyMembersChanged } from "../ledger/members-changed";
import { allocateFifo, unexpiredPoints } from "../rules/fifo";
import { heldPoints } from "../rules/holds";
import { requestFingerprint } from "../ledger/request-fingerprint";
import { RetryTransaction, withTransactionRetry } from "../ledger/transaction-retry";
import { availableOf } from "../members/read-available-points";

export const REDEMPTION_REFERENCE_TYPE = "redemption";

export interface RedeemInput {
  memberExternalId?: string;
  memberId?: number;
  /** Required unless rewardId is given (then it defaults to, and must equal, the reward's cost). */
  points?: number;
  referenceId: string;
  rewardId?: number;
}

export interface RedeemResult {
  transactionId: number;
  /** Points redeemed (positive). */
  points: number;
  /** Points the member can use after the redemption (on a replay: now). */
  availablePoints: number;
  duplicate: boolean;
  /** A coupon reward's code, given to this redemption only (on a replay: the same code). */
  couponCode?: string;
}

export async function resolveMember(ex: Db | Tx, input: { memberExternalId?: string; memberId?: number }): Promise<Member> {
  // An erased member is addressed by id only (staff, e.g. a write-off): by external id it is no
  // member any more (docs/privacy.md).
  const member =
    input.memberId !== undefined
      ? await getMemberById(ex, input.memberId)
      : input.memberExternalId !== undefined
        ? await getMemberByExternalId(ex, input.memberExternalId).then((m) => (m?.erasedAt ? null : m))
        : null;
  if (!member) throw new LoyaltyError("member_not_found", "No such member.", { field: input.memberId !== undefined ? "memberId" : "memberExternalId" });
  return member;
}

function checkPoints(points: number | undefined, field = "points"): number {
  if (points === undefined || !Number.isSafeInteger(points) || points < 1 || points > MAX_POINTS) {
    throw new LoyaltyError("validation_failed", `points must be a whole number between 1 and ${MAX_POINTS}.`, { field });
  }
  return points;
}

async function loadReward(tx: Tx, rewardId: number, now: Date): Promise<Reward> {
  const [reward] = await tx.select().from(rewards).where(eq(rewards.id, rewardId)).limit(1);
  if (!reward) throw new LoyaltyError("reward_not_found", "No such reward.", { field: "rewardId" });
  const inWindow = (!reward.startsAt || reward.startsAt <= now) && (!reward.endsAt || now < reward.endsAt);
  if (!reward.active || !inWindow) throw new LoyaltyError("reward_unavailable", "This reward is not available now.", { field: "rewardId" });
  return reward;
}

/** What the redemption's transaction knows beyond its input: a capture's own hold is not counted against it. */
export interface RedeemInTxOptions {
  /** The hold this redemption captures: its points are the caller's, not held from it. */
  capturingHoldId?: number;
}

/**
 * Redeems points in one transaction: locks the member's balance row, then its open lots in FIFO
 * order, and consumes the oldest unexpired points first. Points past their expiry are never
 * redeemable, even before the expiry job ran; points held by live checkout holds are not redeemable
 * either; a balance at or below zero redeems nothing. A reward's stock is taken in the same
 * transaction with a conditional UPDATE, so the last item goes to one redemption only. A replayed
 * referenceId answers the first redemption with `duplicate: true`.
 */
export async function redeemPoints(db: Db, input: RedeemInput, ctx: LedgerContext): Promise<RedeemResult> {
  const { result, memberId } = await withTransactionRetry(() => db.transaction((tx) => redeemPointsInTx(tx, input, ctx)));
  if (memberId !== null) await notifyMembersChanged([memberId]);
  return result;
}

/**
 * redeemPoints inside the caller's transaction (a hold's capture). Answers the member whose balance
 * changed (null on a replay); the caller notifies after its commit.
 */
export async function redeemPointsInTx(
  tx: Tx,
  input: RedeemInput,
  ctx: LedgerContext,
  options: RedeemInTxOptions = {},
): Promise<{ result: RedeemResult; memberId: number | null }> {
  const now = ctx.now ?? new Date();
  const referenceId = referenceIdSchema.safeParse(input.referenceId);
  if (!referenceId.success) throw new LoyaltyError("validation_failed", `referenceId ${referenceId.error.issues[0]!.message}`, { field: "referenceId" });
  if (input.rewardId === undefined) checkPoints(input.points);

  const member = await resolveMember(tx, input);
  const balance = (await lockBalances(tx, [member.id])).get(member.id) ?? 0;
  const [previous] = await findByReferences(tx, [{ referenceType: REDEMPTION_REFERENCE_TYPE, referenceId: referenceId.data }]);
  const lots = await openLots(tx, [member.id], { lock: true });
  const holds = (await liveHolds(tx, member.id, now)).filter((h) => h.id !== options.capturingHoldId);
  const held = heldPoints(holds, now);
  const fingerprint = requestFingerprint([
    ["member", member.id],
    ["points", input.points],
    ["rewardId", input.rewardId],
  ]);
  if (previous) {
    if (previous.memberId !== member.id) {
      throw new LoyaltyError("reference_conflict", "This referenceId was already used for another member.", { field: "referenceId" });
    }
    if (previous.requestFingerprint && previous.requestFingerprint !== fingerprint) {
      // In the fingerprint's order (docs/ledger.md, Idempotency): the reward, then the points.
      const field = (input.rewardId ?? null) !== previous.rewardId ? "rewardId" : input.points !== undefined ? "points" : "payload";
      throw new LoyaltyError("idempotency_conflict", `This referenceId was already used for another redemption (its ${field} differs).`, { field });
    }
    const code = previous.rewardId === null ? null : await couponCodeOf(tx, previous.id);
    return {
      memberId: null,
      result: {
        transactionId: previous.id,
        points: -previous.amount,
        availablePoints: availableOf(balance, lots, holds, now),
        duplicate: true,
        ...(code ? { couponCode: code } : {}),
      },
    };
  }

  let points: number;
  let reward: Reward | null = null;
  if (input.rewardId !== undefined) {
    reward = await loadReward(tx, input.rewardId, now);
    points = input.points ?? reward.pointsCost;
    if (points !== reward.pointsCost) {
      throw new LoyaltyError("validation_failed", `This reward costs ${reward.pointsCost} points.`, { field: "points" });
    }
  } else {
    points = checkPoints(input.points);
  }

  const redeemable = unexpiredPoints(lots, now) - held;
  if (balance <= 0 || points > redeemable) {
    throw new LoyaltyError("insufficient_points", `Only ${Math.max(0, redeemable)} points can be redeemed.`, {
      details: { available: availableOf(balance, lots, holds, now), unexpired: unexpiredPoints(lots, now), held, requested: points },
    });
  }
  if (input.rewardId !== undefined) {
    const taken = await tx
      .update(rewards)
      .set({ stock: sql`${rewards.stock} - 1`, updatedAt: now })
      .where(and(eq(rewards.id, input.rewardId), or(isNull(rewards.stock), gt(rewards.stock, 0))))
      .returning({ id: rewards.id });
    if (taken.length === 0) throw new LoyaltyError("out_of_stock", "This reward is out of stock.", { field: "rewardId" });
  }

  const { allocations } = allocateFifo(lots, points, { now });
  const [row] = await tx
    .insert(pointTransactions)
    .values({
      memberId: member.id,
      type: "redeem",
      amount: -points,
      referenceType: REDEMPTION_REFERENCE_TYPE,
      referenceId: referenceId.data,
      rewardId: input.rewardId ?? null,
      createdBy: ctx.actor,
      occurredAt: now,
      requestFingerprint: fingerprint,
    })
    .onConflictDoNothing()
    .returning({ id: pointTransactions.id });
  if (!row) throw new RetryTransaction("the redemption reference was taken concurrently");
  const byId = new Map(lots.map((l) => [l.id, l]));
  await setLotRemaining(tx, new Map(allocations.map((a) => [a.lotId, byId.get(a.lotId)!.remaining - a.points])));
  await insertAllocations(
    tx,
    allocations.map((a) => ({ transactionId: row.id, ...a })),
  );
  await applyBalanceChanges(tx, new Map([[member.id, { points: -points, earned: 0, redeemed: points, spend: 0 }]]));
  const couponCode = reward?.kind === "coupon" ? await issueCouponCode(tx, reward, row.id, member.id, now) : null;
  return {
    memberId: member.id,
    // The redemption took unexpired, vested points only: what is past due or pending is as it was.
    result: {
      transactionId: row.id,
      points,
      availablePoints: availableOf(balance - points, lots, holds, now),
      duplicate: false,
      ...(couponCode ? { couponCode } : {}),
    },
  };
}
