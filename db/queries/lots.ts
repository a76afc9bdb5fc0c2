import { and, asc, gt, sql } from "drizzle-orm";
import { queryRows, type Executor, type Tx } from "@/db/client";
import { lotAllocations, pointTransactions } from "@/db/schema";
import { pgArray } from "./pg-array";

export interface OpenLot {
  id: number;
  memberId: number;
  amount: number;
  expiresAt: Date;
  remaining: number;
  vestsAt: Date | null;
}

/**
 * Open lots (remaining > 0) of these members in FIFO order, read over the partial open-lots index.
 * With `lock`, the rows are locked in that same order (callers already hold the members' balance locks).
 */
export async function openLots(ex: Executor, memberIds: readonly number[], options: { lock?: boolean } = {}): Promise<OpenLot[]> {
  const ids = [...new Set(memberIds)];
  if (ids.length === 0) return [];
  const query = ex
    .select({
      id: pointTransactions.id,
      memberId: pointTransactions.memberId,
      amount: pointTransactions.amount,
      expiresAt: pointTransactions.expiresAt,
      remaining: pointTransactions.remaining,
      vestsAt: pointTransactions.vestsAt,
    })
    .from(pointTransactions)
    .where(and(sql`${pointTransactions.memberId} = ANY(${pgArray(ids)}::bigint[])`, gt(pointTransactions.remaining, 0)))
    .orderBy(asc(pointTransactions.memberId), asc(pointTransactions.expiresAt), asc(pointTransactions.id));
  const rows = options.lock ? await query.for("update") : await query;
  return rows.map((r) => ({ ...r, expiresAt: r.expiresAt!, remaining: r.remaining! }));
}

/** Sets the remaining points of lots: one statement for the batch. */
export async function setLotRemaining(tx: Tx, updates: ReadonlyMap<number, number>): Promise<void> {
  if (updates.size === 0) return;
  await tx.execute(sql`UPDATE point_transactions AS t SET remaining = v.remaining
    FROM unnest(${pgArray([...updates.keys()])}::bigint[], ${pgArray([...updates.values()])}::bigint[]) AS v(id, remaining)
    WHERE t.id = v.id`);
}

export async function insertAllocations(tx: Tx, rows: readonly { transactionId: number; lotId: number; points: number }[]): Promise<void> {
  const positive = rows.filter((r) => r.points > 0);
  if (positive.length === 0) return;
  await tx.insert(lotAllocations).values([...positive]);
}

/** Allocations of one debit, e.g. to give a redemption's points back to the lots it took them from. */
export async function allocationsOf(ex: Executor, transactionId: number): Promise<{ lotId: number; points: number }[]> {
  const rows = await queryRows<{ lot_id: string | number; points: string | number }>(
    ex,
    sql`SELECT lot_id, points FROM lot_allocations WHERE transaction_id = ${transactionId}`,
  );
  return rows.map((r) => ({ lotId: Number(r.lot_id), points: Number(r.points) }));
}

/** Open points of a member still in their purchase's return window (pending, not redeemable). */
export async function pendingPointsOf(ex: Executor, memberId: number, now: Date): Promise<number> {
  const rows = await queryRows<{ points: string | number | null }>(
    ex,
    sql`SELECT coalesce(sum(remaining), 0) AS points FROM point_transactions
        WHERE member_id = ${memberId} AND remaining > 0 AND vests_at > ${now.toISOString()}::timestamptz`,
  );
  return Number(rows[0]?.points ?? 0);
}

/** Open points of a member whose expiry has passed but that the expiry job has not expired yet. */
export async function pastDuePoints(ex: Executor, memberId: number, now: Date): Promise<number> {
  const rows = await queryRows<{ points: string | number | null }>(
    ex,
    sql`SELECT coalesce(sum(remaining), 0) AS points FROM point_transactions
        WHERE member_id = ${memberId} AND remaining > 0 AND expires_at <= ${now.toISOString()}::timestamptz`,
  );
  return Number(rows[0]?.points ?? 0);
}

/** Open points expiring in (now, until], grouped by UTC day, each with the day's earliest expiry instant. */
export async function expiringPoints(ex: Executor, memberId: number, now: Date, until: Date): Promise<{ points: number; expiresAt: Date }[]> {
  const rows = await queryRows<{ points: string | number; expires_at: string | Date }>(
    ex,
    sql`SELECT sum(remaining) AS points, min(expires_at) AS expires_at FROM point_transactions
        WHERE member_id = ${memberId} AND remaining > 0
          AND expires_at > ${now.toISOString()}::timestamptz AND expires_at <= ${until.toISOString()}::timestamptz
        GROUP BY (expires_at AT TIME ZONE 'UTC')::date
        ORDER BY 2`,
  );
  return rows.map((r) => ({ points: Number(r.points), expiresAt: new Date(r.expires_at) }));
}
