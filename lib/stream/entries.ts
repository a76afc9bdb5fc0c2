import { loyaltyEventSchema, type LoyaltyEvent } from "@/lib/loyalty/events";
import { EVENT_FIELD } from "./names";

export type RawEntry = [id: string, fields: string[] | null];

export interface ParsedEntries {
  valid: { streamId: string; event: LoyaltyEvent; payload: unknown }[];
  invalid: { streamId: string; payload: unknown; reason: string }[];
  /** Entries trimmed from the stream while pending: nothing left to apply, only to acknowledge. */
  gone: string[];
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
      parsed.invalid.push({ streamId, payload: { raw: text.slice(0, 10_000) }, reason: "invalid_json: the event is not JSON" });
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
        payload,
        reason: `validation_failed: ${field ? `${field} ` : ""}${issue?.message ?? "invalid event"}`,
      });
    }
  }
  return parsed;
}
