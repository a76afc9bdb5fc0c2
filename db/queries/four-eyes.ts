import { and, eq, sql } from "drizzle-orm";
import { queryRows, type Executor, type Tx } from "@/db/client";
import { adjustmentRequests, users, type AdjustmentRequest } from "@/db/schema";

/**
 * Absolute points one staff member moved on their own authority (ledger rows they created under
 * reference type adjustment or reversal, without those an approved request posted) in
 * (since, until], for one member and in all. Served by point_transactions_staff_moves_idx
 * (created_by, occurred_at) and, for the exclusion, adjustment_requests_reference_idx.
 */
export async function staffMovedPoints(
  ex: Executor,
  q: { actor: string; memberId: number; since: Date; until: Date },
): Promise<{ forMember: number; byStaff: number }> {
  const [row] = await queryRows<{ for_member: string | number; by_staff: string | number }>(
    ex,
    sql`SELECT coalesce(sum(abs(t.amount)) FILTER (WHERE t.member_id = ${q.memberId}), 0)::bigint AS for_member,
               coalesce(sum(abs(t.amount)), 0)::bigint AS by_staff
        FROM point_transactions t
        WHERE t.created_by = ${q.actor}
          AND t.reference_type IN ('adjustment', 'reversal')
          AND t.occurred_at > ${q.since.toISOString()}::timestamptz
          AND t.occurred_at <= ${q.until.toISOString()}::timestamptz
          AND NOT EXISTS (
            SELECT 1 FROM adjustment_requests r
            WHERE r.reference_type = t.reference_type AND r.reference_id = t.reference_id AND r.status = 'approved')`,
  );
  return { forMember: Number(row?.for_member ?? 0), byStaff: Number(row?.by_staff ?? 0) };
}

/** The member linked to this user's account (users.member_id), if any. */
export async function linkedMemberOf(ex: Executor, userId: string): Promise<number | null> {
  const [row] = await ex.select({ memberId: users.memberId }).from(users).where(eq(users.id, userId)).limit(1);
  return row?.memberId ?? null;
}

/** The pending request that reserves this reference, if any. */
export async function pendingRequestFor(ex: Executor, referenceType: string, referenceId: string): Promise<AdjustmentRequest | null> {
  const [row] = await ex
    .select()
    .from(adjustmentRequests)
    .where(and(eq(adjustmentRequests.referenceType, referenceType), eq(adjustmentRequests.referenceId, referenceId), eq(adjustmentRequests.status, "pending")))
    .limit(1);
  return row ?? null;
}

/**
 * Transaction-scoped advisory locks, always taken after the member's balance lock and in this order
 * (reference, then staff member). The reference lock makes "no pending request holds it" and the
 * write that relies on it one step even across members; the staff lock serializes one staff
 * member's moves, whose daily cap spans members (and so balance locks) that do not otherwise queue.
 */
export async function lockReference(tx: Tx, referenceType: string, referenceId: string): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`four-eyes:reference:${referenceType}:${referenceId}`}, 0))`);
}

export async function lockStaffMoves(tx: Tx, actor: string): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`four-eyes:staff:${actor}`}, 0))`);
}
