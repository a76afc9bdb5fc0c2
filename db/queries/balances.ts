import { sql } from "drizzle-orm";
import { queryRows, type Executor, type Tx } from "@/db/client";
import { pgArray } from "./pg-array";

/**
 * Locks the balance rows of these members, always in member-id order, so that any two transactions
 * locking overlapping sets queue instead of deadlocking. Every writer of a member's ledger, lots or
 * balance takes this lock first. Returns the balances read under the lock.
 */
export async function lockBalances(tx: Tx, memberIds: readonly number[]): Promise<Map<number, number>> {
  const ids = [...new Set(memberIds)].sort((a, b) => a - b);
  if (ids.length === 0) return new Map();
  const rows = await queryRows<{ member_id: string | number; available_points: string | number }>(
    tx,
    sql`SELECT member_id, available_points FROM point_balances
        WHERE member_id = ANY(${pgArray(ids)}::bigint[]) ORDER BY member_id FOR UPDATE`,
  );
  return new Map(rows.map((r) => [Number(r.member_id), Number(r.available_points)]));
}

/** Adds each member's delta to its cached balance: one statement for the whole batch. */
export async function applyBalanceDeltas(tx: Tx, deltas: ReadonlyMap<number, number>): Promise<void> {
  const rows = [...deltas].filter(([, delta]) => delta !== 0);
  if (rows.length === 0) return;
  await tx.execute(sql`UPDATE point_balances AS b
    SET available_points = b.available_points + v.delta, updated_at = now()
    FROM unnest(${pgArray(rows.map(([id]) => id))}::bigint[], ${pgArray(rows.map(([, d]) => d))}::bigint[]) AS v(member_id, delta)
    WHERE b.member_id = v.member_id`);
}

export interface TotalsDelta {
  earned: number;
  redeemed: number;
}

/** Adds to members.total_earned / total_redeemed: one statement for the whole batch. */
export async function applyTotalsDeltas(tx: Tx, deltas: ReadonlyMap<number, TotalsDelta>): Promise<void> {
  const rows = [...deltas].filter(([, d]) => d.earned !== 0 || d.redeemed !== 0);
  if (rows.length === 0) return;
  await tx.execute(sql`UPDATE members AS m
    SET total_earned = m.total_earned + v.earned, total_redeemed = m.total_redeemed + v.redeemed
    FROM unnest(${pgArray(rows.map(([id]) => id))}::bigint[], ${pgArray(rows.map(([, d]) => d.earned))}::bigint[],
                ${pgArray(rows.map(([, d]) => d.redeemed))}::bigint[]) AS v(member_id, earned, redeemed)
    WHERE m.id = v.member_id`);
}

export async function getBalance(ex: Executor, memberId: number): Promise<{ availablePoints: number; tierSpend12m: number } | null> {
  const rows = await queryRows<{ available_points: string | number; tier_spend_12m: string | number }>(
    ex,
    sql`SELECT available_points, tier_spend_12m FROM point_balances WHERE member_id = ${memberId}`,
  );
  const row = rows[0];
  return row ? { availablePoints: Number(row.available_points), tierSpend12m: Number(row.tier_spend_12m) } : null;
}
