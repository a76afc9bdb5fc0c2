import { z } from "zod";
import { boundedInstantSchema } from "../input/input-bounds";

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

/** Most lines one purchase or refund may carry. */
export const MAX_ORDER_LINES = 200;

const codeSchema = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(100, "must be at most 100 characters")
  .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces");

/** One order line: `amountCents` is the line's total (quantity × unit price, after its discounts). */
export const orderLineSchema = z
  .object({
    sku: codeSchema,
    category: codeSchema.optional(),
    quantity: z.number().int("must be a whole number").positive().max(1_000_000),
    amountCents: z.number().int("must be a whole number of minor units").min(0).max(MAX_AMOUNT_CENTS),
  })
  .strict();

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
    /** Purchases: the order's lines (earning rules by SKU and category); refunds: the lines returned. */
    items: z.array(orderLineSchema).min(1, "must hold at least one line").max(MAX_ORDER_LINES).optional(),
    /** Where the event happened (web, app, store…): earning rules and campaigns may name channels. */
    channel: codeSchema.optional(),
    /** Purchases: a referral code (docs/ledger.md, Referrals); attributes a member without a referral record. */
    referralCode: z.string().trim().min(1, "must not be empty").max(32, "must be at most 32 characters").optional(),
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
    if (event.referralCode !== undefined && event.type !== "purchase") {
      ctx.addIssue({ code: "custom", path: ["referralCode"], message: "is only allowed on a purchase" });
    }
    if (event.items !== undefined) {
      if (event.type !== "purchase" && event.type !== "refund") {
        ctx.addIssue({ code: "custom", path: ["items"], message: "are only allowed on a purchase or a refund" });
        return;
      }
      // The lines must add up to the amount: a difference (an order-level discount, shipping) has
      // to be spread over the lines by the caller, so that every cent earns at a known rate.
      const seen = new Set<string>();
      let total = 0;
      event.items.forEach((line, i) => {
        if (seen.has(line.sku)) ctx.addIssue({ code: "custom", path: ["items", i, "sku"], message: "appears twice: merge the lines of one SKU" });
        seen.add(line.sku);
        total += line.amountCents;
      });
      if (event.amountCents !== undefined && total !== event.amountCents) {
        ctx.addIssue({
          code: "custom",
          path: ["items"],
          message: `add up to ${total}, not amountCents ${event.amountCents} (difference ${event.amountCents - total}): spread discounts and charges over the lines`,
        });
      }
    }
  });

export type LoyaltyEventInput = z.input<typeof loyaltyEventSchema>;
export type LoyaltyEvent = z.output<typeof loyaltyEventSchema>;

/** Tolerated clock skew for `occurredAt` in the future. */
export const FUTURE_SKEW_MS = 5 * 60 * 1000;
