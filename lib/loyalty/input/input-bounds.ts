import { z } from "zod";
import { LoyaltyError } from "../errors";

/**
 * Bounds every edge (REST, server actions, page query strings, CSV imports, stream entries) puts on
 * outside values before they reach PostgreSQL, in one place so that the edges agree. PostgreSQL
 * refuses a NUL byte in text and a year 0 in a timestamp with an error, which used to surface as a
 * 500 (or fail a whole batch); anything else unbounded is merely absurd. Both are refused here.
 */

/** The earliest instant an outside value may name: no ledger row, filter or report predates it. */
export const EARLIEST_INSTANT = new Date("1970-01-01T00:00:00Z");
/** Campaign windows: not before this… */
export const EARLIEST_CAMPAIGN_START = new Date("2000-01-01T00:00:00Z");
/** …and not ending more than this many years from now. */
export const MAX_CAMPAIGN_YEARS_AHEAD = 10;
/** The latest instant a query filter may name (zod's ISO formats already stop at year 9999). */
export const LATEST_INSTANT = new Date("9999-12-31T23:59:59.999Z");
/** Any single text field of a form, whatever it is for. */
export const MAX_FORM_FIELD_LENGTH = 10_000;

/** C0 and C1 control characters and DEL, and lone surrogates (which cannot be encoded as UTF-8). */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]|\p{Cs}/u;
/** The same, but tab, line feed and carriage return are allowed (multi-line reasons, CSV notes). */
const CONTROL_EXCEPT_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]|\p{Cs}/u;

export const CONTROL_MESSAGE = "must not contain control characters";

export function hasControlCharacters(text: string, options: { multiline?: boolean } = {}): boolean {
  return (options.multiline ? CONTROL_EXCEPT_LINES : CONTROL).test(text);
}

/** A one-line text field: trimmed, 1..max characters, no control characters. */
export function singleLineText(max: number) {
  return z
    .string()
    .trim()
    .min(1, "must not be empty")
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !CONTROL.test(s), CONTROL_MESSAGE);
}

/** Multi-line text (reasons, descriptions): as singleLineText, but tabs and line breaks allowed. */
export function multiLineText(max: number) {
  return z
    .string()
    .trim()
    .min(1, "must not be empty")
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !CONTROL_EXCEPT_LINES.test(s), CONTROL_MESSAGE);
}

export function isInstantInRange(date: Date, from: Date = EARLIEST_INSTANT, to: Date = LATEST_INSTANT): boolean {
  const t = date.getTime();
  return Number.isFinite(t) && t >= from.getTime() && t <= to.getTime();
}

/** An ISO date-time with an offset, at or after 1970-01-01T00:00:00Z. */
export const boundedInstantSchema = z.iso.datetime({ offset: true }).refine((v) => isInstantInRange(new Date(v)), "must be between 1970-01-01 and 9999-12-31");

/** A calendar day `YYYY-MM-DD` (UTC) from 1970-01-01 to 9999-12-31: what page filters accept. */
export function boundedDay(value: string | undefined | null): string | undefined {
  if (typeof value !== "string" || !z.iso.date().safeParse(value).success) return undefined;
  return isInstantInRange(new Date(`${value}T00:00:00Z`)) ? value : undefined;
}

/** A campaign window's bounds: starts on or after 2000-01-01 and ends within 10 years of `now`. */
export function campaignWindowError(startsAt: Date, endsAt: Date, now: Date): { field: "startsAt" | "endsAt"; message: string } | null {
  if (startsAt.getTime() < EARLIEST_CAMPAIGN_START.getTime()) return { field: "startsAt", message: "must be on or after 2000-01-01" };
  const latest = new Date(now);
  latest.setUTCFullYear(latest.getUTCFullYear() + MAX_CAMPAIGN_YEARS_AHEAD);
  if (startsAt.getTime() > latest.getTime()) return { field: "startsAt", message: `must be within ${MAX_CAMPAIGN_YEARS_AHEAD} years from now` };
  if (endsAt.getTime() > latest.getTime()) return { field: "endsAt", message: `must be within ${MAX_CAMPAIGN_YEARS_AHEAD} years from now` };
  return null;
}

/** A positive database id from text (a form field, a path or query parameter): digits only, safe integer. */
export function positiveId(value: unknown): number | null {
  if (typeof value !== "string" && typeof value !== "number") return null;
  const text = String(value).trim();
  if (!/^\d{1,16}$/.test(text)) return null;
  const n = Number(text);
  return n >= 1 && Number.isSafeInteger(n) ? n : null;
}

/**
 * The first field of a flat form (or query string) that no field of ours could accept: control
 * characters (tab and line breaks allowed) or longer than MAX_FORM_FIELD_LENGTH. Null when clean.
 */
export function hostileFormField(values: Record<string, unknown>): { field: string; message: string } | null {
  for (const [key, value] of Object.entries(values)) {
    if (CONTROL.test(key) || key.length > 200) return { field: key.slice(0, 200).replace(CONTROL, "?"), message: "is not a known field" };
    if (typeof value !== "string") continue;
    if (value.length > MAX_FORM_FIELD_LENGTH) return { field: key, message: `must be at most ${MAX_FORM_FIELD_LENGTH} characters` };
    if (CONTROL_EXCEPT_LINES.test(value)) return { field: key, message: CONTROL_MESSAGE };
  }
  return null;
}

export type RawParams = Record<string, string | string[] | undefined>;

/**
 * A page's query string, bounded: the first value of a repeated parameter, and only values
 * without control characters and at most `max` characters. What was dropped is listed, so the
 * page can say so instead of failing (or passing a NUL byte on to PostgreSQL).
 */
export function pageParams<K extends string>(raw: RawParams, keys: readonly K[], max = 200): { values: Partial<Record<K, string>>; ignored: K[] } {
  const values: Partial<Record<K, string>> = {};
  const ignored: K[] = [];
  for (const key of keys) {
    const value = Object.hasOwn(raw, key) ? raw[key] : undefined;
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first !== "string" || first === "") continue;
    if (first.length > max || CONTROL.test(first)) ignored.push(key);
    else values[key] = first;
  }
  return { values, ignored };
}

/** A form's id field (a hidden input): a positive safe integer, or a validation_failed naming it. */
export function requireId(value: unknown, field: string): number {
  const id = positiveId(value);
  if (id === null) {
    throw new LoyaltyError("validation_failed", `${field}: must be an id`, { field, details: { fieldErrors: { [field]: ["must be an id"] } } });
  }
  return id;
}
