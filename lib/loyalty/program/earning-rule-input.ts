import { z } from "zod";
import { campaignEventType, earningCapPeriod } from "@/db/schema";
import { MAX_AMOUNT_CENTS, MAX_POINTS } from "../accrual/event-input";
import { boundedInstantSchema, singleLineText } from "../input/input-bounds";

/**
 * The fields of an earning rule and of a cap, as the REST API and the console's forms send them:
 * one schema for both edges, parsed once by the service (earning-rules.ts).
 */

const code = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(100, "must be at most 100 characters")
  .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces");
const codes = z
  .array(code)
  .max(200, "must hold at most 200 entries")
  .transform((list) => [...new Set(list)]);
const instant = boundedInstantSchema;
const reason = z.string().trim().max(1000, "must be at most 1000 characters").optional();
// Nullable: null clears the condition (no minimum) or the earning (no rate, no bonus).
const minSpendCents = z
  .number("must be a whole number of minor units")
  .int("must be a whole number of minor units")
  .min(0)
  .max(MAX_AMOUNT_CENTS)
  .nullable()
  .optional();
const pointsPerCurrencyUnit = z.number("must be a whole number of points").int("must be a whole number of points").min(0).max(1000).nullable().optional();
const bonusPoints = z.number("must be a whole number of points").int("must be a whole number of points").min(1).max(1_000_000).nullable().optional();

export const earningRuleFieldsSchema = z
  .object({
    name: singleLineText(120),
    skus: codes.default([]),
    categories: codes.default([]),
    channels: codes.default([]),
    minSpendCents,
    pointsPerCurrencyUnit,
    bonusPoints,
    startsAt: instant.optional(),
    endsAt: instant.nullable().optional(),
    reason,
  })
  .strict()
  .superRefine((rule, ctx) => {
    if ((rule.pointsPerCurrencyUnit ?? null) === null && (rule.bonusPoints ?? null) === null) {
      ctx.addIssue({ code: "custom", path: ["pointsPerCurrencyUnit"], message: "or bonusPoints is required: a rule sets a rate, gives a bonus, or both" });
    }
  });
export type EarningRuleFields = z.output<typeof earningRuleFieldsSchema>;

/** A change: any field (only before the rule starts, except name and endsAt). */
export const earningRulePatchSchema = z
  .object({
    name: singleLineText(120).optional(),
    skus: codes.optional(),
    categories: codes.optional(),
    channels: codes.optional(),
    minSpendCents,
    pointsPerCurrencyUnit,
    bonusPoints,
    startsAt: instant.optional(),
    endsAt: instant.nullable().optional(),
    reason,
  })
  .strict();

export const earningCapFieldsSchema = z
  .object({
    name: singleLineText(120),
    eventType: z
      .enum(campaignEventType.enumValues, { error: `must be among ${campaignEventType.enumValues.join(", ")}` })
      .nullable()
      .optional(),
    maxAwardsPerMember: z.number("must be a whole number").int("must be a whole number").min(1).max(1_000_000).optional(),
    maxPoints: z.number("must be a whole number of points").int("must be a whole number of points").min(1).max(MAX_POINTS).optional(),
    period: z.enum(earningCapPeriod.enumValues, { error: "must be day, week or month" }),
    startsAt: instant.optional(),
    endsAt: instant.nullable().optional(),
    reason,
  })
  .strict()
  .superRefine((cap, ctx) => {
    if ((cap.maxAwardsPerMember === undefined) === (cap.maxPoints === undefined)) {
      ctx.addIssue({ code: "custom", path: ["maxAwardsPerMember"], message: "or maxPoints is required, not both" });
    } else if (cap.maxAwardsPerMember !== undefined && (cap.eventType ?? null) === null) {
      ctx.addIssue({ code: "custom", path: ["eventType"], message: "is required for a cap on awards" });
    }
  });
export type EarningCapFields = z.output<typeof earningCapFieldsSchema>;

export const earningCapPatchSchema = z.object({ name: singleLineText(120).optional(), endsAt: instant.nullable().optional(), reason }).strict();

export const retireSchema = z.object({ reason }).strict();

/** A body is a cap when it names a period (the cap's one required field a rule never has). */
export const isCapInput = (input: unknown): boolean => typeof input === "object" && input !== null && "period" in input;
