import { z } from "zod";
import { TRANSACTION_TYPES } from "@/db/schema";
import { MAX_PAGE_SIZE } from "@/db/queries/transactions";
import { MAX_BATCH_EVENTS } from "@/lib/loyalty/accrual/record-events";
import { EVENT_TYPES, externalIdSchema, loyaltyEventSchema, MAX_POINTS, referenceIdSchema } from "@/lib/loyalty/accrual/event-input";
import { MAX_HOLD_TTL_SECONDS, MIN_HOLD_TTL_SECONDS } from "@/lib/loyalty/redemption/hold-points";
import { boundedInstantSchema, singleLineText } from "@/lib/loyalty/input/input-bounds";

/**
 * The request and response shapes of the v1 API. Routes validate with the request schemas; the
 * OpenAPI document is generated from all of them, so the two cannot drift apart.
 */

export { MAX_BATCH_EVENTS, MAX_PAGE_SIZE };
export const DEFAULT_PAGE_SIZE = 50;

/**
 * A whole number in a query string: plain digits only (no "0x10", "1e3", "+1" or " 7" that
 * Number() would take), at most `max`.
 */
export function queryInteger(max: number = Number.MAX_SAFE_INTEGER, min = 1) {
  return z
    .string()
    .regex(/^\d{1,16}$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
}

const tier = z.enum(["bronze", "silver", "gold"]);
const timestamp = z.iso.datetime({ offset: true });

export const errorSchema = z
  .object({
    error: z.string().meta({ example: "validation_failed" }),
    message: z.string(),
    field: z.string().optional().meta({ example: "amountCents" }),
  })
  .meta({ id: "Error" });

export const memberParamsSchema = z.object({ externalId: externalIdSchema });

export const createMemberSchema = z
  .object({
    externalId: externalIdSchema,
    email: z.email().max(320).optional(),
    name: singleLineText(200).optional(),
    /** A referrer's code (docs/ledger.md, Referrals): the new member is attributed to its owner. */
    referralCode: z.string().trim().min(1, "must not be empty").max(32, "must be at most 32 characters").optional(),
  })
  .strict()
  .meta({ id: "CreateMemberRequest" });

/** What an event or a sign-up decided about a referral. */
export const referralOutcomeSchema = z
  .object({
    status: z.enum(["pending", "rewarded", "refused", "reversed", "unknown_code"]),
    reason: z.enum(["self_referral", "already_member", "monthly_limit"]).optional(),
    referrerPoints: z.number().int().optional(),
    refereePoints: z.number().int().optional(),
    kept: z.literal(true).optional().meta({ description: "A refund after the window: the rewards stay" }),
  })
  .meta({ id: "ReferralOutcome" });

export const referralLinkSchema = z.object({ code: z.string(), link: z.string() }).meta({ id: "ReferralLink" });

export const memberSchema = z
  .object({
    externalId: z.string(),
    email: z.string().nullable(),
    name: z.string().nullable(),
    tier,
    totalEarned: z.number().int(),
    totalRedeemed: z.number().int(),
    createdAt: timestamp,
    referral: referralOutcomeSchema.optional().meta({ description: "When created with a referralCode: the attribution (pending, or refused with its reason)" }),
  })
  .meta({ id: "Member" });

export const memberSummarySchema = z
  .object({
    externalId: z.string(),
    email: z.string().nullable(),
    name: z.string().nullable(),
    tier,
    availablePoints: z.number().int().meta({ description: "Redeemable now: the balance less points past their expiry, held points and pending points" }),
    heldPoints: z.number().int().meta({ description: "Points reserved by live checkout holds" }),
    pendingPoints: z.number().int().meta({ description: "Points of purchases still in their return window (programme pendingDays)" }),
    totalEarned: z.number().int(),
    totalRedeemed: z.number().int(),
    tierSpend12m: z.number().int().meta({ description: "Purchase spend in minor units over the rolling 12 months" }),
    expiringSoon: z.array(z.object({ points: z.number().int(), expiresAt: timestamp })),
    tierRetention: z
      .object({
        retainUntil: timestamp
          .nullable()
          .meta({ description: "End of the tier's grace: kept until then; null when the tier's threshold is met (no grace running)" }),
        spendNeeded: z.number().int().meta({ description: "In grace: spend (minor units) still needed before retainUntil to keep the tier; 0 otherwise" }),
        nextTier: tier.nullable(),
        spendToNextTier: z.number().int().meta({ description: "Spend (minor units) still needed in the window to reach nextTier; 0 at the top" }),
      })
      .meta({ description: "docs/ledger.md, Tier retention and benefits" }),
    tierEarnMultiplier: z
      .number()
      .meta({ description: "The tier's earn multiplier on purchases (the tier bonus), combined with the best campaign by multiplication" }),
    tierBenefits: z.array(z.string()).meta({ description: "The tier's benefits, as shown to members" }),
  })
  .meta({ id: "MemberSummary" });

export const eventSchema = loyaltyEventSchema.meta({ id: "Event" });

export const eventResultSchema = z
  .object({
    transactionId: z.number().int().nullable().meta({ description: "null when nothing was recorded (a second login the same UTC day)" }),
    points: z.number().int().meta({ description: "Signed change of the balance: negative for a refund" }),
    multiplier: z.number(),
    campaignId: z.number().int().nullable(),
    duplicate: z.boolean().meta({ description: "true when this referenceId was already recorded: the first result is returned" }),
    alreadyCheckedIn: z.literal(true).optional().meta({ description: "A login on a UTC day the member already checked in: nothing awarded" }),
    appliedRules: z.array(z.number().int()).optional().meta({ description: "Earning rules that set a line's rate or gave a bonus (absent when none)" }),
    cappedBy: z.array(z.number().int()).optional().meta({ description: "Earning caps that cut the award (absent when none)" }),
    referral: referralOutcomeSchema.optional().meta({ description: "A referral this event attributed, rewarded, refused or reversed" }),
  })
  .meta({ id: "EventResult" });

/** Each event of a batch is validated on its own, so a bad one fails alone. */
export const batchRequestSchema = z
  .object({
    events: z.array(z.unknown()).min(1, "must contain at least one event").max(MAX_BATCH_EVENTS, `must contain at most ${MAX_BATCH_EVENTS} events`),
  })
  .strict();

export const batchRequestDocSchema = z.object({ events: z.array(eventSchema).min(1).max(MAX_BATCH_EVENTS) }).meta({ id: "EventBatchRequest" });

export const batchItemSchema = z
  .union([
    z.object({ index: z.number().int(), status: z.union([z.literal(200), z.literal(201)]), result: eventResultSchema }),
    z.object({ index: z.number().int(), status: z.number().int().min(400).max(599), error: errorSchema }),
  ])
  .meta({ id: "EventBatchItem" });

export const batchResponseSchema = z
  .object({
    results: z.array(batchItemSchema),
    summary: z.object({ created: z.number().int(), duplicates: z.number().int(), failed: z.number().int() }),
  })
  .meta({ id: "EventBatchResponse" });

export const redemptionRequestSchema = z
  .object({
    points: z
      .number()
      .int("must be a whole number of points")
      .positive()
      .max(MAX_POINTS)
      .optional()
      .meta({ description: "Points to redeem. Required without rewardId; with it, optional and must equal the reward's cost." }),
    referenceId: referenceIdSchema,
    rewardId: z
      .number()
      .int("must be a reward id")
      .positive()
      .max(Number.MAX_SAFE_INTEGER)
      .optional()
      .meta({ description: "Redeem this reward: its cost in points, one item of its stock." }),
  })
  .strict()
  .refine((body) => body.points !== undefined || body.rewardId !== undefined, {
    message: "is required unless rewardId is given",
    path: ["points"],
  })
  .meta({ id: "RedemptionRequest" });

export const redemptionResultSchema = z
  .object({
    transactionId: z.number().int(),
    points: z.number().int(),
    availablePoints: z.number().int(),
    duplicate: z.boolean(),
    couponCode: z.string().optional().meta({ description: "A coupon reward's code, given to this redemption only (the same on a replay)" }),
  })
  .meta({ id: "RedemptionResult" });

export const holdRequestSchema = z
  .object({
    points: z.number().int("must be a whole number of points").positive().max(MAX_POINTS),
    referenceId: referenceIdSchema,
    ttlSeconds: z
      .number()
      .int("must be a whole number of seconds")
      .min(MIN_HOLD_TTL_SECONDS)
      .max(MAX_HOLD_TTL_SECONDS)
      .optional()
      .meta({ description: "How long the hold lasts; the program's holdTtlSeconds (default 900) when left out" }),
  })
  .strict()
  .meta({ id: "HoldRequest" });

export const holdParamsSchema = z.object({
  holdId: z
    .string()
    .regex(/^[1-9][0-9]{0,15}$/, "must be a hold id")
    .transform(Number),
});

export const holdCaptureRequestSchema = z
  .object({
    points: z
      .number()
      .int("must be a whole number of points")
      .positive()
      .max(MAX_POINTS)
      .optional()
      .meta({ description: "At most the held points; all of them when left out. The rest is released." }),
    referenceId: referenceIdSchema.meta({ description: "The redemption's reference (idempotency key of the capture)" }),
  })
  .strict()
  .meta({ id: "HoldCaptureRequest" });

export const holdSchema = z
  .object({
    holdId: z.number().int(),
    points: z.number().int(),
    expiresAt: timestamp,
    state: z.enum(["active", "expired", "captured", "voided"]),
    availablePoints: z.number().int(),
    duplicate: z.boolean(),
  })
  .meta({ id: "Hold" });

export const holdCaptureSchema = holdSchema
  .extend({
    transactionId: z.number().int().meta({ description: "The redemption the capture wrote" }),
    capturedPoints: z.number().int(),
    releasedPoints: z.number().int(),
  })
  .meta({ id: "HoldCapture" });

export const transferRequestSchema = z
  .object({
    toMemberExternalId: externalIdSchema,
    points: z.number().int("must be a whole number of points").positive().max(MAX_POINTS),
    referenceId: referenceIdSchema,
  })
  .strict()
  .meta({ id: "TransferRequest" });

export const transferResultSchema = z
  .object({
    transactionId: z.number().int().meta({ description: "The sender's ledger row" }),
    points: z.number().int(),
    toMemberExternalId: z.string(),
    availablePoints: z.number().int().meta({ description: "What the sender can redeem now" }),
    duplicate: z.boolean(),
  })
  .meta({ id: "TransferResult" });

const typeList = z
  .string()
  .max(200)
  .transform((s) =>
    s
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.enum(TRANSACTION_TYPES)).min(1));

export const transactionsQuerySchema = z
  .object({
    limit: queryInteger(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
    cursor: z.string().min(1).max(200).optional().meta({ description: "nextCursor of the previous page" }),
    types: typeList.optional().meta({ description: `Comma-separated: ${TRANSACTION_TYPES.join(",")}` }),
    from: boundedInstantSchema.optional().meta({ description: "Only rows that occurred at or after this instant" }),
    to: boundedInstantSchema.optional().meta({ description: "Only rows that occurred before this instant" }),
  })
  .strict();

export const transactionSchema = z
  .object({
    id: z.number().int(),
    type: z.enum(TRANSACTION_TYPES),
    amount: z.number().int().meta({ description: "Signed: credits > 0, debits < 0" }),
    referenceType: z.string(),
    referenceId: z.string(),
    multiplier: z.number(),
    campaignId: z.number().int().nullable(),
    description: z.string().nullable(),
    occurredAt: timestamp,
    createdAt: timestamp,
    expiresAt: timestamp.nullable(),
    remaining: z.number().int().nullable().meta({ description: "Earn lots: points not yet used or expired" }),
    vestsAt: timestamp.nullable().meta({ description: "A purchase's lot in its return window: its points are pending until then (programme pendingDays)" }),
  })
  .meta({ id: "Transaction" });

export const transactionPageSchema = z.object({ items: z.array(transactionSchema), nextCursor: z.string().nullable() }).meta({ id: "TransactionPage" });

export { EVENT_TYPES };
