import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { ensureMember } from "@/lib/loyalty/members";

export const ACTOR = { actor: "test:ledger" };

export async function newMember(db: Db, externalId: string) {
  return (await ensureMember(db, { externalId })).member;
}

export async function balanceOf(db: Db, memberId: number): Promise<number> {
  const [row] = await queryRows<{ p: string }>(db, sql`SELECT available_points AS p FROM point_balances WHERE member_id = ${memberId}`);
  return Number(row!.p);
}

/** Open lots of a member as plain numbers, FIFO order. */
export async function lotsOf(db: Db, memberId: number) {
  const rows = await queryRows<{ id: string; amount: string; remaining: string; expires_at: string }>(
    db,
    sql`SELECT id, amount, remaining, expires_at FROM point_transactions
        WHERE member_id = ${memberId} AND remaining IS NOT NULL ORDER BY expires_at, id`,
  );
  return rows.map((r) => ({ id: Number(r.id), amount: Number(r.amount), remaining: Number(r.remaining), expiresAt: new Date(r.expires_at) }));
}

/**
 * The ledger's invariants, checked independently of verifyLedger: cached balance = SUM(amount),
 * every lot's remaining within 0..amount, the open lots adding up to max(0, balance).
 */
export async function invariantViolations(db: Db, memberIds?: readonly number[]): Promise<unknown[]> {
  const only = memberIds && memberIds.length > 0 ? sql`AND b.member_id IN ${memberIds}` : sql``;
  return queryRows(
    db,
    sql`SELECT b.member_id, b.available_points, l.sum_amount, l.open, l.bad
        FROM point_balances b
        LEFT JOIN (SELECT member_id, sum(amount) AS sum_amount,
                          coalesce(sum(remaining) FILTER (WHERE remaining > 0), 0) AS open,
                          count(*) FILTER (WHERE remaining < 0 OR remaining > amount) AS bad
                   FROM point_transactions GROUP BY member_id) l ON l.member_id = b.member_id
        WHERE (b.available_points <> coalesce(l.sum_amount, 0)
           OR coalesce(l.open, 0) <> greatest(0, b.available_points)
           OR coalesce(l.bad, 0) > 0) ${only}`,
  );
}

export const day = (iso: string) => new Date(`${iso}T12:00:00.000Z`);
