import { sql } from "drizzle-orm";
import { queryRows, type Tx } from "@/db/client";
import type { NewPointTransaction } from "@/db/schema";
import type { BalanceChange } from "./balances";
import { pgArray } from "./pg-array";

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/**
 * Inserts ledger rows whose ids were reserved from the sequence, linked into their members' hash
 * chains, and applies `balanceChanges` to the members' balance rows, all in one statement
 * (`ledger_append`, drizzle/0028; docs/ledger.md "Tamper evidence"): each member's rows are chained
 * in id order after its head, and the head moves in the same update of each balance row that adds
 * the figures, so a batch costs neither a trigger per ledger row nor one per balance row. The
 * callers hold the members' balance locks. Every member given a row has its head moved, whether or
 * not its figures change.
 *
 * One array parameter per column (constant text, prepared once, whatever the batch size), the rows
 * built in the table's column order. ON CONFLICT DO NOTHING on the (reference_type, reference_id)
 * key; rows go in reference order, so that two batches racing for the same references wait on each
 * other in one order. A row skipped that way would leave a hole in its member's chain, so the
 * statement is refused as a serialization failure (withTransactionRetry runs the transaction again).
 * Returns how many were inserted (one row back, not one per ledger row).
 */
export async function insertLedgerRows(
  tx: Tx,
  rows: readonly (NewPointTransaction & { id: number })[],
  options: { bookAtOccurrence?: boolean; balanceChanges?: ReadonlyMap<number, BalanceChange> } = {},
): Promise<number> {
  const changes = [...(options.balanceChanges ?? [])];
  if (rows.length === 0 && changes.length === 0) return 0;
  const col = <T>(pick: (r: NewPointTransaction & { id: number }) => T) => rows.map(pick);
  const change = (pick: (c: BalanceChange) => number) => pgArray(changes.map(([, c]) => pick(c)));
  // Booked at occurrence (the demo seed only, LedgerContext.bookAtOccurrence): created_at is
  // occurred_at; otherwise the transaction's time, as the column's default would be.
  const [inserted] = await queryRows<{ n: number }>(
    tx,
    sql`SELECT ledger_append(ARRAY(
          SELECT ROW(u.id, u.member_id, u.type, u.amount, u.reference_type, u.reference_id, u.multiplier, u.campaign_id, u.reward_id,
                     u.spend_amount, u.related_transaction_id, u.description, u.created_by, u.occurred_at,
                     CASE WHEN ${options.bookAtOccurrence === true}::boolean THEN u.occurred_at ELSE now() END, u.expires_at, u.remaining,
                     u.request_fingerprint, NULL, NULL, NULL, u.vests_at, u.applied_rules)::point_transactions
          FROM unnest(
            ${pgArray(col((r) => r.id))}::bigint[], ${pgArray(col((r) => r.memberId))}::bigint[],
            ${pgArray(col((r) => r.type))}::transaction_type[], ${pgArray(col((r) => r.amount))}::bigint[],
            ${pgArray(col((r) => r.referenceType))}::text[], ${pgArray(col((r) => r.referenceId))}::text[],
            ${pgArray(col((r) => r.multiplier ?? 1))}::numeric[], ${pgArray(col((r) => r.campaignId))}::bigint[],
            ${pgArray(col((r) => r.rewardId))}::bigint[], ${pgArray(col((r) => r.spendAmount))}::bigint[],
            ${pgArray(col((r) => r.relatedTransactionId))}::bigint[], ${pgArray(col((r) => r.description))}::text[],
            ${pgArray(col((r) => r.createdBy))}::text[], ${pgArray(col((r) => iso(r.occurredAt)))}::timestamptz[],
            ${pgArray(col((r) => iso(r.expiresAt)))}::timestamptz[], ${pgArray(col((r) => r.remaining))}::bigint[],
            ${pgArray(col((r) => r.requestFingerprint))}::text[], ${pgArray(col((r) => iso(r.vestsAt)))}::timestamptz[],
            ${pgArray(col((r) => (r.appliedRules ? JSON.stringify(r.appliedRules) : null)))}::jsonb[])
            AS u(id, member_id, type, amount, reference_type, reference_id, multiplier, campaign_id, reward_id, spend_amount,
                 related_transaction_id, description, created_by, occurred_at, expires_at, remaining, request_fingerprint, vests_at,
                 applied_rules)),
        ${pgArray(changes.map(([id]) => id))}::bigint[], ${change((c) => c.points)}::bigint[], ${change((c) => c.earned)}::bigint[],
        ${change((c) => c.redeemed)}::bigint[], ${change((c) => c.spend)}::bigint[]) AS n`,
  );
  return Number(inserted?.n ?? 0);
}
