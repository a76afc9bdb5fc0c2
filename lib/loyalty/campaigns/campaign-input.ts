import { TZDate } from "@date-fns/tz";
import { z } from "zod";
import { campaignEventType, tierCode } from "@/db/schema";
import { CONTROL_MESSAGE, hasControlCharacters, isInstantInRange } from "../input/input-bounds";

export const CAMPAIGN_EVENT_TYPES = campaignEventType.enumValues;
export const MAX_CAMPAIGN_MULTIPLIER_HUNDREDTHS = 1000;

export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** "2", "1.5", 3, "2.25" → the multiplier as a number, checked as integer hundredths (1 < m ≤ 10). */
export const multiplierSchema = z.union([z.number(), z.string().trim()]).transform((value, ctx) => {
  const text = typeof value === "number" ? String(value) : value;
  const match = /^(\d{1,2})(?:\.(\d{1,2}))?$/.exec(text);
  if (!match) {
    ctx.addIssue({ code: "custom", message: "must be a number with at most 2 decimals, e.g. 2 or 1.5" });
    return z.NEVER;
  }
  const hundredths = Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0"));
  if (hundredths <= 100 || hundredths > MAX_CAMPAIGN_MULTIPLIER_HUNDREDTHS) {
    ctx.addIssue({ code: "custom", message: "must be greater than 1 and at most 10" });
    return z.NEVER;
  }
  return hundredths / 100;
});

const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/;
const OFFSET_DATE_TIME = z.iso.datetime({ offset: true });

/**
 * An instant from either an ISO date-time with an offset ("2026-03-08T07:00:00Z") or a wall-clock
 * time without one ("2026-03-08T02:30"), read in `timeZone`. A wall-clock time that does not exist
 * there (the hour skipped when clocks go forward) is refused rather than silently shifted; an
 * ambiguous one (the hour repeated when clocks go back) means its first occurrence.
 */
export function instantIn(value: string, timeZone: string): Date | { error: string } {
  const instant = parseInstantIn(value, timeZone);
  // Year 0000 (or 0001 with an offset that takes it back to year 0) parses, and PostgreSQL refuses it.
  if (instant instanceof Date && !isInstantInRange(instant)) return { error: "must be between 1970-01-01 and 9999-12-31" };
  return instant;
}

function parseInstantIn(value: string, timeZone: string): Date | { error: string } {
  if (OFFSET_DATE_TIME.safeParse(value).success) return new Date(value);
  const m = LOCAL_DATE_TIME.exec(value);
  if (!m) return { error: "must be a date and time, e.g. 2026-12-01T09:00" };
  const [year, month, day, hour, minute, second] = m.slice(1).map((part) => Number(part ?? 0)) as number[];
  const local = new TZDate(year!, month! - 1, day!, hour!, minute!, second!, timeZone);
  const sameWallClock =
    local.getFullYear() === year && local.getMonth() === month! - 1 && local.getDate() === day && local.getHours() === hour && local.getMinutes() === minute;
  if (!sameWallClock || Number.isNaN(local.getTime())) {
    return { error: `does not exist in ${timeZone} (invalid date or skipped by a clock change)` };
  }
  return new Date(local.getTime());
}

const timeZoneSchema = z.string().trim().max(64).refine(isTimeZone, "must be an IANA time zone, e.g. Europe/Paris");
const dateTimeText = z.string().trim().min(1, "is required").max(40);
const nameSchema = z
  .string()
  .trim()
  .min(1, "is required")
  .max(120, "must be at most 120 characters")
  .refine((s) => !hasControlCharacters(s), CONTROL_MESSAGE);
const eventTypesSchema = z
  .array(z.enum(CAMPAIGN_EVENT_TYPES, { error: `must be among ${CAMPAIGN_EVENT_TYPES.join(", ")}` }))
  .max(CAMPAIGN_EVENT_TYPES.length)
  .transform((list) => [...new Set(list)]);
const tiersSchema = z
  .array(z.enum(tierCode.enumValues, { error: `must be among ${tierCode.enumValues.join(", ")}` }))
  .max(tierCode.enumValues.length)
  .transform((list) => [...new Set(list)]);

/** Categories or channels a campaign targets (docs/ledger.md, Earning rules); empty = all. */
const codesSchema = z
  .array(
    z
      .string()
      .trim()
      .min(1, "must not be empty")
      .max(100, "must be at most 100 characters")
      .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces"),
  )
  .max(200, "must hold at most 200 entries")
  .transform((list) => [...new Set(list)]);

export const campaignFieldsSchema = z
  .object({
    name: nameSchema,
    multiplier: multiplierSchema,
    startsAt: dateTimeText,
    endsAt: dateTimeText,
    timeZone: timeZoneSchema.default("UTC"),
    eventTypes: eventTypesSchema.default([]),
    tiers: tiersSchema.default([]),
    categories: codesSchema.default([]),
    channels: codesSchema.default([]),
  })
  .strict();

export const campaignPatchSchema = z
  .object({
    action: z.enum(["pause", "resume", "end", "archive"]).optional(),
    name: nameSchema.optional(),
    multiplier: multiplierSchema.optional(),
    startsAt: dateTimeText.optional(),
    endsAt: dateTimeText.optional(),
    timeZone: timeZoneSchema.optional(),
    eventTypes: eventTypesSchema.optional(),
    tiers: tiersSchema.optional(),
    categories: codesSchema.optional(),
    channels: codesSchema.optional(),
  })
  .strict()
  .refine((patch) => Object.values(patch).some((v) => v !== undefined), "nothing to change");

export type CampaignFieldsInput = z.input<typeof campaignFieldsSchema>;
export type CampaignPatchInput = z.input<typeof campaignPatchSchema>;

export interface CampaignWindow {
  startsAt: Date;
  endsAt: Date;
}

/** Resolves the window's wall-clock times in the zone; returns field errors instead of throwing. */
export function resolveWindow(startsAt: string, endsAt: string, timeZone: string): CampaignWindow | { fieldErrors: Record<string, string[]> } {
  const start = instantIn(startsAt, timeZone);
  const end = instantIn(endsAt, timeZone);
  const fieldErrors: Record<string, string[]> = {};
  if (!(start instanceof Date)) fieldErrors.startsAt = [start.error];
  if (!(end instanceof Date)) fieldErrors.endsAt = [end.error];
  if (start instanceof Date && end instanceof Date && end.getTime() <= start.getTime()) {
    fieldErrors.endsAt = ["must be after the start"];
  }
  if (Object.keys(fieldErrors).length) return { fieldErrors };
  return { startsAt: start as Date, endsAt: end as Date };
}
