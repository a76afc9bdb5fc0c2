import { loyaltyEventSchema, type LoyaltyEvent } from "@/lib/loyalty/accrual/event-input";
import { EVENT_FIELD } from "./names";

export type RawEntry = [id: string, fields: string[] | null];

export interface ParsedEntries {
  valid: { streamId: string; event: LoyaltyEvent; payload: unknown }[];
  invalid: { streamId: string; payload: unknown; reason: string }[];
  /** Entries trimmed from the stream while pending: nothing left to apply, only to acknowledge. */
  gone: string[];
}

/**
 * A poison entry is kept in the dead letters as jsonb, which refuses a NUL character or a lone
 * surrogate (the insert would fail and the entry be retried forever): such a payload is kept as
 * its text, those characters escaped.
 */
function storable(payload: unknown, text: string): unknown {
  const json = JSON.stringify(payload) ?? "";
  // JSON.stringify writes NUL and lone surrogates as \u escapes; jsonb accepts neither.
  return /\\u(0000|d[89a-f][0-9a-f]{2})/i.test(json) ? { raw: escapeText(text) } : payload;
}

function escapeText(text: string): string {
  return text.slice(0, 10_000).replace(/\u0000|\p{Cs}/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function fieldValue(fields: string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

/** Validates entries with the same schema as the REST API; what fails is a poison event. */
export function parseEntries(entries: readonly RawEntry[]): ParsedEntries {
  const parsed: ParsedEntries = { valid: [], invalid: [], gone: [] };
  for (const [streamId, fields] of entries) {
    if (!fields) {
      parsed.gone.push(streamId);
      continue;
    }
    const text = fieldValue(fields, EVENT_FIELD);
    if (text === undefined) {
      parsed.invalid.push({ streamId, payload: { fields }, reason: `invalid_payload: no "${EVENT_FIELD}" field` });
      continue;
    }
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch {
      parsed.invalid.push({ streamId, payload: { raw: escapeText(text) }, reason: "invalid_json: the event is not JSON" });
      continue;
    }
    const result = loyaltyEventSchema.safeParse(payload);
    if (result.success) {
      parsed.valid.push({ streamId, event: result.data, payload });
    } else {
      const issue = result.error.issues[0];
      const field = issue?.path.join(".");
      parsed.invalid.push({
        streamId,
        payload: storable(payload, text),
        reason: `validation_failed: ${field ? `${field} ` : ""}${issue?.message ?? "invalid event"}`,
      });
    }
  }
  return parsed;
}
