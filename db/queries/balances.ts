import { sql } from "drizzle-orm";
import { queryRows, type Executor, type Tx } from "@/db/client";
import type { TierCode } from "@/db/schema";
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

export interface LockedMember {
  id: number;
  externalId: string;
  tier: TierCode;
  availablePoints: number;
}

/**
 * Resolves a batch's external ids and locks those members' balance rows, in member-id order (the
 * lock is taken above the sort), in one statement: what `lockBalances` does, without a round trip
 * to learn the ids first. Unknown ids, and erased members (docs/privacy.md: they take no new
 * events), are simply absent. The balance rows are found by an id array
 * (an index scan whatever the batch size): a plain join would let the planner, seeing hundreds of
 * ids, hash-join against a sequential scan of point_balances.
 */
export async function lockMembersByExternalIds(tx: Tx, externalIds: readonly string[]): Promise<LockedMember[]> {
  const unique = [...new Set(externalIds)];
  if (unique.length === 0) return [];
  const rows = await queryRows<{ id: string | number; external_id: string; tier: TierCode; available_points: string | number }>(
    tx,
    sql`WITH m AS MATERIALIZED (SELECT id, external_id, tier FROM members WHERE external_id = ANY(${pgArray(unique)}::text[]) AND erased_at IS NULL)
        SELECT m.id, m.external_id, m.tier, b.available_points
        FROM point_balances b JOIN m ON m.id = b.member_id
        WHERE b.member_id = ANY(ARRAY(SELECT id FROM m))
        ORDER BY b.member_id FOR UPDATE OF b`,
  );
  return rows.map((r) => ({ id: Number(r.id), externalId: r.external_id, tier: r.tier, availablePoints: Number(r.available_points) }));
}

/**
 * What a write changes for one member: its balance, its lifetime totals (total_earned and
 * total_redeemed), and its live 12-month tier spend (minor units, signed; see `tierSpendDelta`).
 */
export interface BalanceChange {
  points: number;
  earned: number;
  redeemed: number;
  spend: number;
}

/**
 * Adds each member's change to its cached balance, totals and tier spend: one statement and one row
 * per member for the whole batch, touching only the rows whose figures move. The live tier spend
 * never goes below 0, as the nightly recalculation's never does.
 */
export async function applyBalanceChanges(tx: Tx, changes: ReadonlyMap<number, BalanceChange>): Promise<void> {
  const rows = [...changes].filter(([, c]) => c.points !== 0 || c.earned !== 0 || c.redeemed !== 0 || c.spend !== 0);
  if (rows.length === 0) return;
  await tx.execute(sql`UPDATE point_balances AS b
    SET available_points = b.available_points + v.points, total_earned = b.total_earned + v.earned,
        total_redeemed = b.total_redeemed + v.redeemed, tier_spend_12m = greatest(b.tier_spend_12m + v.spend, 0), updated_at = now()
    FROM unnest(${pgArray(rows.map(([id]) => id))}::bigint[], ${pgArray(rows.map(([, c]) => c.points))}::bigint[],
                ${pgArray(rows.map(([, c]) => c.earned))}::bigint[], ${pgArray(rows.map(([, c]) => c.redeemed))}::bigint[],
                ${pgArray(rows.map(([, c]) => c.spend))}::bigint[]) AS v(member_id, points, earned, redeemed, spend)
    WHERE b.member_id = v.member_id`);
}

/** Adds each member's delta to its cached balance: one statement for the whole batch. */
export async function applyBalanceDeltas(tx: Tx, deltas: ReadonlyMap<number, number>): Promise<void> {
  await applyBalanceChanges(tx, new Map([...deltas].map(([id, points]) => [id, { points, earned: 0, redeemed: 0, spend: 0 }])));
}

export interface CachedBalance {
  availablePoints: number;
  totalEarned: number;
  totalRedeemed: number;
  tierSpend12m: number;
}

export async function getBalance(ex: Executor, memberId: number): Promise<CachedBalance | null> {
  type Row = Record<"available_points" | "total_earned" | "total_redeemed" | "tier_spend_12m", string | number>;
  const rows = await queryRows<Row>(
    ex,
    sql`SELECT available_points, total_earned, total_redeemed, tier_spend_12m FROM point_balances WHERE member_id = ${memberId}`,
  );
  const row = rows[0];
  return row
    ? {
        availablePoints: Number(row.available_points),
        totalEarned: Number(row.total_earned),
        totalRedeemed: Number(row.total_redeemed),
        tierSpend12m: Number(row.tier_spend_12m),
      }
    : null;
}
