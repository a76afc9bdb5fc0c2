import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { rewards } from "@/db/schema";
import type { SessionUser } from "@/lib/auth/session-user";
import { isLoyaltyError, type ErrorCode } from "@/lib/loyalty/errors";
import { MAX_POINTS } from "@/lib/loyalty/accrual/event-input";
import { redeemPoints } from "@/lib/loyalty/redemption/redeem-points";
import { fieldErrorsOf, type FormError } from "../form-state";
import type { RedeemField, RedeemState } from "../redeem-state";
import { memberOf } from "./member-guard";

const idempotencyKey = z.uuid({ message: "This form has expired. Please try again." });

export const redeemInputSchema = z.discriminatedUnion("mode", [
  z.object({
    mode: z.literal("points"),
    points: z.coerce
      .number({ message: "Enter a number of points." })
      .int("Enter a whole number of points.")
      .positive("Enter at least 1 point.")
      .max(MAX_POINTS, "That is more points than anyone can hold."),
    idempotencyKey,
  }),
  z.object({
    mode: z.literal("reward"),
    rewardId: z.coerce.number({ message: "Choose a reward." }).int().positive("Choose a reward.").max(Number.MAX_SAFE_INTEGER),
    idempotencyKey,
  }),
]);

const MESSAGES: Partial<Record<ErrorCode, string>> = {
  insufficient_points: "You do not have enough points for this. Points past their expiry date cannot be redeemed.",
  negative_balance: "Your balance is below zero, so you cannot redeem until it is positive again.",
  out_of_stock: "Sorry, this reward is out of stock.",
  reward_unavailable: "This reward is no longer available.",
  reward_not_found: "This reward is no longer available.",
  reference_conflict: "This form has expired. Please reload the page and try again.",
};

/**
 * A redemption by the signed-in member from their own balance. The idempotency key is created by
 * the form once per attempt: a double click or a resubmission of the same attempt replays the first
 * result instead of redeeming twice. The key is namespaced by member, so no one can collide with (or
 * read back) another member's redemption by guessing their key.
 */
export async function redeemForUser(db: Db, user: SessionUser | null, input: Record<string, unknown>, now: Date): Promise<RedeemState> {
  const values = pickValues(input);
  const guard = memberOf(user);
  if (!guard.ok) return { ...guard.error, values };
  const parsed = redeemInputSchema.safeParse(input);
  if (!parsed.success) return { status: "error", fieldErrors: fieldErrorsOf<RedeemField>(parsed.error.issues), values };
  const data = parsed.data;

  let points: number;
  let rewardId: number | undefined;
  let rewardName: string | undefined;
  if (data.mode === "reward") {
    const [reward] = await db.select({ id: rewards.id, name: rewards.name, pointsCost: rewards.pointsCost }).from(rewards).where(eq(rewards.id, data.rewardId));
    if (!reward) return { status: "error", fieldErrors: { rewardId: MESSAGES.reward_not_found }, values };
    points = reward.pointsCost;
    rewardId = reward.id;
    rewardName = reward.name;
  } else {
    points = data.points;
  }

  try {
    const result = await redeemPoints(
      db,
      { memberId: guard.memberId, points, rewardId, referenceId: `portal:${guard.memberId}:${data.idempotencyKey}` },
      { now, actor: `user:${guard.user.id}` },
    );
    return {
      status: "success",
      transactionId: result.transactionId,
      points: Math.abs(result.points),
      availablePoints: result.availablePoints,
      duplicate: result.duplicate,
      rewardName,
      ...(result.couponCode ? { couponCode: result.couponCode } : {}),
    };
  } catch (error) {
    if (!isLoyaltyError(error)) throw error;
    const formError = MESSAGES[error.code] ?? error.message;
    return { status: "error", formError, values } satisfies FormError<RedeemField>;
  }
}

function pickValues(input: Record<string, unknown>): Partial<Record<RedeemField, string>> {
  const out: Partial<Record<RedeemField, string>> = {};
  for (const key of ["mode", "points", "rewardId"] as const) {
    const v = input[key];
    if (typeof v === "string") out[key] = v.slice(0, 50);
  }
  return out;
}
