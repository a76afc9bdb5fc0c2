import { createHash } from "node:crypto";
import type { PointTransaction } from "@/db/schema";
import type { LoyaltyEvent } from "../accrual/event-input";

/**
 * Fingerprint of a canonical request: the first 128 bits (base64url) of SHA-256 over the JSON of
 * its fields in the order given, undefined ones left out. Stored with every idempotent write, so a
 * replay of its reference with another payload is refused instead of answered as a duplicate.
 */
export function requestFingerprint(fields: readonly (readonly [string, string | number | boolean | null | undefined])[]): string {
  const canonical: Record<string, string | number | boolean | null> = {};
  for (const [name, value] of fields) if (value !== undefined) canonical[name] = value;
  return createHash("sha256").update(JSON.stringify(canonical)).digest().subarray(0, 16).toString("base64url");
}

/** An event's canonical request; `occurredAt` as an instant in UTC with milliseconds, only when the event carried one. */
export function eventFingerprint(event: LoyaltyEvent): string {
  return requestFingerprint([
    ["type", event.type],
    ["memberExternalId", event.memberExternalId],
    ["amountCents", event.amountCents],
    ["originalReferenceId", event.originalReferenceId],
    ["occurredAt", event.occurredAt === undefined ? undefined : new Date(event.occurredAt).toISOString()],
    // Absent on events without lines or channel, whose fingerprints stay what they were.
    ["items", event.items === undefined ? undefined : JSON.stringify(event.items.map((l) => [l.sku, l.category ?? null, l.quantity, l.amountCents]))],
    ["channel", event.channel],
    ["referralCode", event.referralCode],
  ]);
}

/**
 * Which field of a replayed event differs from the row its reference wrote, in the fingerprint's
 * order, as far as the row shows it; "payload" when only the fingerprint does. `originalId` is the
 * ledger id of the purchase the replay's originalReferenceId names (undefined when none).
 */
export function differingEventField(event: LoyaltyEvent, seen: PointTransaction, originalId: number | undefined): string {
  if ((event.type === "purchase" || event.type === "refund") && seen.spendAmount !== null && event.amountCents !== Math.abs(seen.spendAmount)) {
    return "amountCents";
  }
  if (event.type === "refund" && originalId !== seen.relatedTransactionId) return "originalReferenceId";
  if (event.occurredAt !== undefined && new Date(event.occurredAt).getTime() !== seen.occurredAt.getTime()) return "occurredAt";
  return "payload";
}
