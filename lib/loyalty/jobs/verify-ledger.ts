import { sql } from "drizzle-orm";
import { queryRows, type Executor } from "@/db/client";

export type DiscrepancyField = "balance_row" | "available_points" | "total_earned" | "total_redeemed" | "open_lots" | "lot_remaining";

export interface Discrepancy {
  memberId: number;
  externalId: string;
  field: DiscrepancyField;
  /** What the cached column (or the lots) say. */
  cached: number;
  /** What the ledger says. */
  ledger: number;
}

interface Row {
  id: string | number;
  external_id: string;
  has_balance: boolean;
  available_points: string | number | null;
  total_earned: string | number;
  total_redeemed: string | number;
  balance: string | number;
  earned: string | number;
  redeemed: string | number;
  open_lots: string | number;
  bad_lots: string | number;
}

/**
 * Reconciles the cached figures with the ledger, one range of member ids per statement (each a
 * consistent snapshot, read over the member_id indexes): point_balances.available_points against
 * SUM(amount), members' totals against the rule of `totalsDelta`, and the lots (each remaining
 * within 0..amount; the open lots adding up to max(0, balance)).
 */
export async function verifyLedger(ex: Executor, options: { chunkSize?: number } = {}): Promise<{ membersChecked: number; discrepancies: Discrepancy[] }> {
  const chunk = options.chunkSize ?? 10_000;
  const [bounds] = await queryRows<{ lo: string | number | null; hi: string | number | null; n: string | number }>(
    ex,
    sql`SELECT min(id) AS lo, max(id) AS hi, count(*) AS n FROM members`,
  );
  const discrepancies: Discrepancy[] = [];
  if (!bounds || bounds.lo === null || bounds.hi === null) return { membersChecked: 0, discrepancies };
  const hi = Number(bounds.hi);
  let membersChecked = 0;
  for (let from = Number(bounds.lo); from <= hi; from += chunk) {
    const to = from + chunk - 1;
    const rows = await queryRows<Row & { checked: string | number }>(
      ex,
      sql`WITH ledger AS (
            SELECT t.member_id,
              sum(t.amount) AS balance,
              sum(CASE WHEN t.type = 'earn' THEN t.amount
                       WHEN t.type = 'reverse' AND r.type = 'earn' THEN t.amount ELSE 0 END) AS earned,
              sum(CASE WHEN t.type = 'redeem' THEN -t.amount
                       WHEN t.type = 'reverse' AND r.type = 'redeem' THEN -t.amount ELSE 0 END) AS redeemed,
              coalesce(sum(t.remaining) FILTER (WHERE t.remaining > 0), 0) AS open_lots,
              count(*) FILTER (WHERE t.remaining < 0 OR t.remaining > t.amount) AS bad_lots
            FROM point_transactions t
            LEFT JOIN point_transactions r ON t.type = 'reverse' AND r.id = t.related_transaction_id
            WHERE t.member_id BETWEEN ${from} AND ${to}
            GROUP BY t.member_id
          ), checked AS (
            SELECT m.id, m.external_id, b.member_id IS NOT NULL AS has_balance, b.available_points,
              b.total_earned, b.total_redeemed,
              coalesce(l.balance, 0) AS balance, coalesce(l.earned, 0) AS earned, coalesce(l.redeemed, 0) AS redeemed,
              coalesce(l.open_lots, 0) AS open_lots, coalesce(l.bad_lots, 0) AS bad_lots
            FROM members m
            LEFT JOIN point_balances b ON b.member_id = m.id
            LEFT JOIN ledger l ON l.member_id = m.id
            WHERE m.id BETWEEN ${from} AND ${to}
          )
          SELECT c.*, (SELECT count(*) FROM checked) AS checked FROM checked c
          WHERE NOT c.has_balance OR c.available_points <> c.balance OR c.total_earned <> c.earned
             OR c.total_redeemed <> c.redeemed OR c.open_lots <> greatest(0, c.balance) OR c.bad_lots > 0
          UNION ALL
          SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, (SELECT count(*) FROM checked)`,
    );
    for (const row of rows) {
      if (row.id === null) {
        membersChecked += Number(row.checked);
        continue;
      }
      discrepancies.push(...discrepanciesOf(row));
    }
  }
  return { membersChecked, discrepancies };
}

function discrepanciesOf(row: Row): Discrepancy[] {
  const base = { memberId: Number(row.id), externalId: row.external_id };
  const out: Discrepancy[] = [];
  const balance = Number(row.balance);
  const compare = (field: DiscrepancyField, cached: number, ledger: number) => {
    if (cached !== ledger) out.push({ ...base, field, cached, ledger });
  };
  if (!row.has_balance) out.push({ ...base, field: "balance_row", cached: 0, ledger: 1 });
  else compare("available_points", Number(row.available_points), balance);
  compare("total_earned", Number(row.total_earned), Number(row.earned));
  compare("total_redeemed", Number(row.total_redeemed), Number(row.redeemed));
  compare("open_lots", Number(row.open_lots), Math.max(0, balance));
  compare("lot_remaining", Number(row.bad_lots), 0);
  return out;
}
