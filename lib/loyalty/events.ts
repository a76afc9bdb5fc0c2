import { z } from "zod";
import { boundedInstantSchema } from "./input-bounds";

/** Largest purchase accepted, in minor units (10^12 = ten billion currency units). */
export const MAX_AMOUNT_CENTS = 1_000_000_000_000;
export const MAX_POINTS = 1_000_000_000;
export const EVENT_TYPES = ["purchase", "refund", "referral", "review", "login"] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const referenceIdSchema = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(200, "must be at most 200 characters")
  .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces");

export const externalIdSchema = referenceIdSchema;

/**
 * An event from another system (REST API or stream). `occurredAt` defaults to now and may not be in
 * the future (a small clock skew is tolerated by the service, which receives `now`).
 */
export const loyaltyEventSchema = z
  .object({
    type: z.enum(EVENT_TYPES),
    memberExternalId: externalIdSchema,
    referenceId: referenceIdSchema,
    amountCents: z.number().int("must be a whole number of minor units").positive().max(MAX_AMOUNT_CENTS).optional(),
    originalReferenceId: referenceIdSchema.optional(),
    // From 1970 on: PostgreSQL has no year 0, and one such date failed its whole batch.
    occurredAt: boundedInstantSchema.optional(),
  })
  .strict()
  .superRefine((event, ctx) => {
    if ((event.type === "purchase" || event.type === "refund") && event.amountCents === undefined) {
      ctx.addIssue({ code: "custom", path: ["amountCents"], message: `is required for a ${event.type}` });
    }
    if (event.type === "refund" && event.originalReferenceId === undefined) {
      ctx.addIssue({ code: "custom", path: ["originalReferenceId"], message: "is required for a refund" });
    }
    if (event.type !== "refund" && event.originalReferenceId !== undefined) {
      ctx.addIssue({ code: "custom", path: ["originalReferenceId"], message: "is only allowed on a refund" });
    }
  });

export type LoyaltyEventInput = z.input<typeof loyaltyEventSchema>;
export type LoyaltyEvent = z.output<typeof loyaltyEventSchema>;

/** Tolerated clock skew for `occurredAt` in the future. */
export const FUTURE_SKEW_MS = 5 * 60 * 1000;
