import { sql } from "drizzle-orm";
import { queryRows, type Tx } from "@/db/client";
import type { NewPointTransaction } from "@/db/schema";
import { pgArray } from "./pg-array";

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/**
 * Inserts ledger rows whose ids were reserved from the sequence, as one statement with one array
 * parameter per column (constant text, prepared once, whatever the batch size). ON CONFLICT DO
 * NOTHING on the (reference_type, reference_id) key; rows go in reference order, so that two batches
 * racing for the same references wait on each other in one order. Returns how many were inserted
 * (one row back, not one per ledger row).
 */
export async function insertLedgerRows(
  tx: Tx,
  rows: readonly (NewPointTransaction & { id: number })[],
  options: { bookAtOccurrence?: boolean } = {},
): Promise<number> {
  if (rows.length === 0) return 0;
  const col = <T>(pick: (r: NewPointTransaction & { id: number }) => T) => rows.map(pick);
  // Booked at occurrence (the demo seed only, LedgerContext.bookAtOccurrence): created_at is
  // occurred_at, the column that follows it in the SELECT list. Otherwise the statement stays the
  // one every batch prepares, created_at left to its default (the transaction's time).
  const bookedColumn = options.bookAtOccurrence ? sql`, created_at` : sql``;
  const bookedValue = options.bookAtOccurrence ? sql`, u.occurred_at` : sql``;
  const names = options.bookAtOccurrence
    ? sql` AS u(id, member_id, type, amount, reference_type, reference_id, multiplier, campaign_id, reward_id, spend_amount,
             related_transaction_id, description, created_by, occurred_at, expires_at, remaining, request_fingerprint, vests_at,
             applied_rules)`
    : sql``;
  const [inserted] = await queryRows<{ n: number }>(
    tx,
    sql`WITH inserted AS (INSERT INTO point_transactions (id, member_id, type, amount, reference_type, reference_id, multiplier, campaign_id,
          reward_id, spend_amount, related_transaction_id, description, created_by, occurred_at, expires_at, remaining, request_fingerprint, vests_at,
          applied_rules${bookedColumn})
        OVERRIDING SYSTEM VALUE
        SELECT *${bookedValue} FROM unnest(
          ${pgArray(col((r) => r.id))}::bigint[], ${pgArray(col((r) => r.memberId))}::bigint[],
          ${pgArray(col((r) => r.type))}::transaction_type[], ${pgArray(col((r) => r.amount))}::bigint[],
          ${pgArray(col((r) => r.referenceType))}::text[], ${pgArray(col((r) => r.referenceId))}::text[],
          ${pgArray(col((r) => r.multiplier ?? 1))}::numeric[], ${pgArray(col((r) => r.campaignId))}::bigint[],
          ${pgArray(col((r) => r.rewardId))}::bigint[], ${pgArray(col((r) => r.spendAmount))}::bigint[],
          ${pgArray(col((r) => r.relatedTransactionId))}::bigint[], ${pgArray(col((r) => r.description))}::text[],
          ${pgArray(col((r) => r.createdBy))}::text[], ${pgArray(col((r) => iso(r.occurredAt)))}::timestamptz[],
          ${pgArray(col((r) => iso(r.expiresAt)))}::timestamptz[], ${pgArray(col((r) => r.remaining))}::bigint[],
          ${pgArray(col((r) => r.requestFingerprint))}::text[], ${pgArray(col((r) => iso(r.vestsAt)))}::timestamptz[],
          ${pgArray(col((r) => (r.appliedRules ? JSON.stringify(r.appliedRules) : null)))}::jsonb[])${names}
        ORDER BY 5, 6
        ON CONFLICT DO NOTHING
        RETURNING 1)
        SELECT count(*)::int AS n FROM inserted`,
  );
  return Number(inserted?.n ?? 0);
}
