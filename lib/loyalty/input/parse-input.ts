import type { z } from "zod";
import { LoyaltyError } from "../errors";

export type FieldErrors = Record<string, string[]>;

/** zod issues → `{field: [messages]}`, keyed by the top-level field name ("_" for the whole form). */
export function fieldErrorsOf(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? String(issue.path[0]) : "_";
    (out[key] ??= []).push(issue.message);
  }
  return out;
}

/**
 * Parses staff input at the service boundary. A failure is a `validation_failed` LoyaltyError that
 * names the first bad field and carries every field's messages for a form to show.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const fieldErrors = fieldErrorsOf(parsed.error);
  const first = parsed.error.issues[0]!;
  const field = first.path.length ? first.path.map(String).join(".") : undefined;
  throw new LoyaltyError("validation_failed", field ? `${field}: ${first.message}` : first.message, {
    field,
    details: { fieldErrors },
  });
}

export function fieldErrorsFromError(error: LoyaltyError): FieldErrors {
  const details = error.details?.fieldErrors as FieldErrors | undefined;
  if (details) return details;
  return error.field ? { [error.field]: [error.message] } : {};
}

/**
 * A row id from a form field or a URL: anything but a positive whole number reads as "no such
 * row", so a tampered field never reaches PostgreSQL as NaN or 1.5 and surfaces as a crash.
 */
export function checkRowId(id: number, code: "not_found" | "reward_not_found" | "campaign_not_found", what: string): number {
  if (!Number.isSafeInteger(id) || id < 1) throw new LoyaltyError(code, `No such ${what}.`, { field: "id" });
  return id;
}
