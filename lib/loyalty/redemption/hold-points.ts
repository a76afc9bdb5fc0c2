import { and, eq } from "drizzle-orm";
import type { Db, Tx } from "@/db/client";
import { lockBalances } from "@/db/queries/balances";
import { findHoldByReference, getHold, liveHolds } from "@/db/queries/holds";
import { openLots } from "@/db/queries/lots";
import { getTransaction } from "@/db/queries/transactions";
import { availableNow } from "../members/read-available-points";
import { pointHolds, type PointHold } from "@/db/schema";
import type { LedgerContext } from "../accrual/record-events";
import { LoyaltyError } from "../errors";
import { MAX_POINTS, referenceIdSchema } from "../accrual/event-input";
import { notifyMembersChanged } from "../ledger/members-changed";
import { redeemPointsInTx, resolveMember } from "./redeem-points";
import { requestFingerprint } from "../ledger/request-fingerprint";
import { holdablePoints, isLive } from "../rules/holds";
import { getProgramSettings } from "../program/get-program-settings";
import { withTransactionRetry } from "../ledger/transaction-retry";

export const MIN_HOLD_TTL_SECONDS = 60;
export const MAX_HOLD_TTL_SECONDS = 7 * 24 * 3600;

export type HoldState = "active" | "expired" | "captured" | "voided";

export interface HoldView {
  holdId: number;
  points: number;
  expiresAt: Date;
  state: HoldState;
  /** What the member can redeem or hold now, after this call. */
  availablePoints: number;
  duplicate: boolean;
}

export interface CaptureResult extends HoldView {
  /** The redemption the capture wrote. */
  transactionId: number;
  capturedPoints: number;
  /** Held points the capture did not take, available again. */
  releasedPoints: number;
}

export function holdState(hold: Pick<PointHold, "status" | "expiresAt">, now: Date): HoldState {
  if (hold.status !== "active") return hold.status;
  return isLive(hold, now) ? "active" : "expired";
}

function checkPositivePoints(points: number | undefined, field = "points"): number | undefined {
  if (points === undefined) return undefined;
  if (!Number.isSafeInteger(points) || points < 1 || points > MAX_POINTS) {
    throw new LoyaltyError("validation_failed", `${field} must be a whole number between 1 and ${MAX_POINTS}.`, { field });
  }
  return points;
}

function checkReference(referenceId: string): string {
  const parsed = referenceIdSchema.safeParse(referenceId);
  if (!parsed.success) throw new LoyaltyError("validation_failed", `referenceId ${parsed.error.issues[0]!.message}`, { field: "referenceId" });
  return parsed.data;
}

export interface CreateHoldInput {
  memberExternalId?: string;
  memberId?: number;
  points: number;
  referenceId: string;
  ttlSeconds?: number;
}

/**
 * Reserves points at checkout, in one transaction under the member's balance lock: held points are
 * not available to redemptions or other holds until the hold is captured, voided or expires. A hold
 * may reserve only points that outlive it (rules/holds.ts holdablePoints), so its capture within
 * its lifetime always finds them. A replayed referenceId answers the first hold (`duplicate`), with
 * its state now; another payload under it is idempotency_conflict.
 */
export async function createHold(db: Db, input: CreateHoldInput, ctx: LedgerContext): Promise<HoldView> {
  const now = ctx.now ?? new Date();
  if (input.points === undefined) throw new LoyaltyError("validation_failed", "points is required.", { field: "points" });
  const points = checkPositivePoints(input.points)!;
  const referenceId = checkReference(input.referenceId);
  if (
    input.ttlSeconds !== undefined &&
    (!Number.isSafeInteger(input.ttlSeconds) || input.ttlSeconds < MIN_HOLD_TTL_SECONDS || input.ttlSeconds > MAX_HOLD_TTL_SECONDS)
  ) {
    throw new LoyaltyError("validation_failed", `ttlSeconds must be between ${MIN_HOLD_TTL_SECONDS} and ${MAX_HOLD_TTL_SECONDS}.`, { field: "ttlSeconds" });
  }

  const { view, memberId } = await withTransactionRetry(() =>
    db.transaction(async (tx) => {
      const member = await resolveMember(tx, input);
      const balance = (await lockBalances(tx, [member.id])).get(member.id) ?? 0;
      const fingerprint = requestFingerprint([
        ["member", member.id],
        ["points", points],
        ["ttlSeconds", input.ttlSeconds],
      ]);
      const previous = await findHoldByReference(tx, referenceId);
      if (previous) {
        if (previous.memberId !== member.id) {
          throw new LoyaltyError("reference_conflict", "This referenceId was already used for another member.", { field: "referenceId" });
        }
        if (previous.requestFingerprint !== fingerprint) {
          const field = previous.points !== points ? "points" : "ttlSeconds";
          throw new LoyaltyError("idempotency_conflict", `This referenceId was already used for another hold (its ${field} differs).`, { field });
        }
        const available = await availableNow(tx, member.id, balance, now);
        return { memberId: null, view: viewOf(previous, now, available, true) };
      }

      const ttlSeconds = input.ttlSeconds ?? (await getProgramSettings(tx)).holdTtlSeconds;
      const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
      const [lots, holds] = await Promise.all([openLots(tx, [member.id], { lock: true }), liveHolds(tx, member.id, now)]);
      const holdable = balance <= 0 ? 0 : holdablePoints(lots, holds, now, expiresAt);
      if (points > holdable) {
        throw new LoyaltyError("insufficient_points", `Only ${holdable} points can be held until ${expiresAt.toISOString()}.`, {
          field: "points",
          details: { holdable, requested: points },
        });
      }
      const [hold] = await tx
        .insert(pointHolds)
        .values({ memberId: member.id, points, referenceId, expiresAt, createdAt: now, createdBy: ctx.actor, requestFingerprint: fingerprint })
        .returning();
      const available = await availableNow(tx, member.id, balance, now);
      return { memberId: member.id, view: viewOf(hold!, now, available, false) };
    }),
  );
  if (memberId !== null) await notifyMembersChanged([memberId]);
  return view;
}

function viewOf(hold: PointHold, now: Date, availablePoints: number, duplicate: boolean): HoldView {
  return { holdId: hold.id, points: hold.points, expiresAt: hold.expiresAt, state: holdState(hold, now), availablePoints, duplicate };
}

/** The hold, locked after its member's balance row (the lock order of every writer). */
async function lockHold(tx: Tx, holdId: number): Promise<{ hold: PointHold; balance: number }> {
  const found = Number.isSafeInteger(holdId) && holdId > 0 ? await getHold(tx, holdId) : null;
  if (!found) throw new LoyaltyError("hold_not_found", "No such hold.", { field: "holdId" });
  const balance = (await lockBalances(tx, [found.memberId])).get(found.memberId) ?? 0;
  const [hold] = await tx.select().from(pointHolds).where(eq(pointHolds.id, holdId)).for("update");
  return { hold: hold!, balance };
}

export interface CaptureHoldInput {
  holdId: number;
  /** At most the held points; defaults to all of them. The rest is released. */
  points?: number;
  /** The redemption's reference. */
  referenceId: string;
}

/**
 * Captures a live hold as a redemption of at most its points (the rest is released), in one
 * transaction under the member's balance lock. A replay of the capture (same referenceId, same
 * points) answers the first one with `duplicate: true`. A hold past its expiry → hold_expired; one
 * voided or captured under another reference → conflict.
 */
export async function captureHold(db: Db, input: CaptureHoldInput, ctx: LedgerContext): Promise<CaptureResult> {
  const now = ctx.now ?? new Date();
  const requested = checkPositivePoints(input.points);
  const referenceId = checkReference(input.referenceId);
  const { result, memberId } = await withTransactionRetry(() =>
    db.transaction(async (tx) => {
      const { hold, balance } = await lockHold(tx, input.holdId);
      const points = requested ?? hold.points;
      if (hold.status === "captured") {
        const redemption = await getTransaction(tx, hold.captureTransactionId!);
        if (redemption?.referenceId !== referenceId) {
          throw new LoyaltyError("conflict", `This hold was already captured (redemption ${redemption?.referenceId}).`, { field: "holdId" });
        }
        if (-redemption.amount !== points) {
          throw new LoyaltyError("idempotency_conflict", "This capture was already made with other points.", { field: "points" });
        }
        const available = await availableNow(tx, hold.memberId, balance, now);
        return { memberId: null, result: captureView(hold, now, available, redemption.id, points, true) };
      }
      if (hold.status === "voided") throw new LoyaltyError("conflict", "This hold was voided.", { field: "holdId" });
      if (!isLive(hold, now)) throw new LoyaltyError("hold_expired", `This hold expired at ${hold.expiresAt.toISOString()}.`, { field: "holdId" });
      if (points > hold.points) {
        throw new LoyaltyError("validation_failed", `points must be at most the ${hold.points} held.`, { field: "points" });
      }
      const redeemed = await redeemPointsInTx(tx, { memberId: hold.memberId, points, referenceId }, ctx, { capturingHoldId: hold.id });
      if (redeemed.result.duplicate) {
        throw new LoyaltyError("idempotency_conflict", "This referenceId was already used for another redemption.", { field: "referenceId" });
      }
      const [captured] = await tx
        .update(pointHolds)
        .set({ status: "captured", decidedAt: now, captureTransactionId: redeemed.result.transactionId })
        .where(and(eq(pointHolds.id, hold.id), eq(pointHolds.status, "active")))
        .returning();
      const available = await availableNow(tx, hold.memberId, balance - points, now);
      return { memberId: hold.memberId, result: captureView(captured!, now, available, redeemed.result.transactionId, points, false) };
    }),
  );
  if (memberId !== null) await notifyMembersChanged([memberId]);
  return result;
}

function captureView(hold: PointHold, now: Date, available: number, transactionId: number, captured: number, duplicate: boolean): CaptureResult {
  return { ...viewOf(hold, now, available, duplicate), transactionId, capturedPoints: captured, releasedPoints: hold.points - captured };
}

/**
 * Releases a hold's points. Idempotent: voiding a voided hold answers it again (`duplicate`); an
 * expired hold is voided too (it held nothing any more); a captured one → conflict.
 */
export async function voidHold(db: Db, input: { holdId: number }, ctx: LedgerContext): Promise<HoldView> {
  const now = ctx.now ?? new Date();
  const { view, memberId } = await withTransactionRetry(() =>
    db.transaction(async (tx) => {
      const { hold, balance } = await lockHold(tx, input.holdId);
      if (hold.status === "captured") throw new LoyaltyError("conflict", "This hold was captured; reverse the redemption instead.", { field: "holdId" });
      if (hold.status === "voided") {
        return { memberId: null, view: viewOf(hold, now, await availableNow(tx, hold.memberId, balance, now), true) };
      }
      const [voided] = await tx
        .update(pointHolds)
        .set({ status: "voided", decidedAt: now })
        .where(and(eq(pointHolds.id, hold.id), eq(pointHolds.status, "active")))
        .returning();
      return { memberId: hold.memberId, view: viewOf(voided!, now, await availableNow(tx, hold.memberId, balance, now), false) };
    }),
  );
  if (memberId !== null) await notifyMembersChanged([memberId]);
  return view;
}
