import { sql } from "drizzle-orm";
import { queryRows, type Executor } from "@/db/client";
import { pgArray } from "./pg-array";

/**
 * Each member's spend in the tier window that opens at `windowStart` (docs/ledger.md, Tier spend):
 * each purchase with `occurred_at > windowStart` counts net of its refunds and reversal, never below
 * 0; a refund of a purchase outside the window counts for nothing (its group has no purchase row).
 * Refunds never precede their purchase, so a purchase's rows are all in the window when it is.
 * No upper bound: accrual adds each purchase to tier_spend_12m live, so what the tier job writes must
 * include what was recorded after it started. Members without spend are absent from the map.
 */
export async function windowSpendOf(ex: Executor, memberIds: readonly number[], windowStart: Date): Promise<Map<number, number>> {
  if (memberIds.length === 0) return new Map();
  const rows = await queryRows<{ member_id: string | number; spend: string | number }>(
    ex,
    sql`SELECT member_id, sum(net)::bigint AS spend
        FROM (SELECT member_id, greatest(sum(spend_amount), 0) AS net
              FROM point_transactions
              WHERE member_id = ANY(${pgArray(memberIds)}::bigint[])
                AND spend_amount IS NOT NULL
                AND occurred_at > ${windowStart.toISOString()}::timestamptz
              GROUP BY member_id, CASE WHEN type = 'earn' THEN id ELSE related_transaction_id END
              HAVING bool_or(type = 'earn')) AS purchases
        GROUP BY member_id`,
  );
  return new Map(rows.map((r) => [Number(r.member_id), Number(r.spend)]));
}
