import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { verifyLedger } from "@/lib/loyalty/jobs/verify-ledger";
import type { Op } from "./clients";

/**
 * The checks after the faults, against the ledger itself:
 * - every acknowledged success is in the ledger exactly once, with the points its answer gave;
 * - every acknowledged refusal, and every operation never acknowledged, left no row (or, for one
 *   never answered, a whole one: its rows, lots and balance change go together or not at all);
 * - verifyLedger(): every cached balance and total equals the ledger, every lot is well-formed;
 * - every redemption's lot allocations add up to its points;
 * - every member's balance equals what the acknowledged operations say it must be.
 */
export interface Findings {
  acknowledged: number;
  unacknowledged: number;
  /** Acknowledged successes with no ledger row. */
  lost: string[];
  /** References with more than one ledger row. */
  doubled: string[];
  /** A row whose amount differs from the answer, a refusal that left a row, a row nobody sent. */
  mismatched: string[];
  discrepancies: number;
  badAllocations: number;
  balancesChecked: number;
  balanceMismatches: string[];
}

interface LedgerRow {
  reference_id: string;
  reference_type: string;
  n: number;
  amount: string;
}

const isSuccess = (op: Op) => op.status !== undefined && op.status >= 200 && op.status < 300;

export async function checkLedger(db: Db, ops: readonly Op[], run: string): Promise<Findings> {
  const rows = await queryRows<LedgerRow>(
    db,
    sql`SELECT reference_id, min(reference_type) AS reference_type, count(*)::int AS n, sum(amount)::text AS amount
        FROM point_transactions WHERE reference_id LIKE ${`${run}-%`} GROUP BY reference_id`,
  );
  const byRef = new Map(rows.map((r) => [r.reference_id, r]));
  const findings: Findings = {
    acknowledged: 0,
    unacknowledged: 0,
    lost: [],
    doubled: rows.filter((r) => r.n > 1).map((r) => r.reference_id),
    mismatched: [],
    discrepancies: 0,
    badAllocations: 0,
    balancesChecked: 0,
    balanceMismatches: [],
  };
  const expected = new Map<string, number>();
  const sent = new Set<string>();
  for (const op of ops) {
    sent.add(op.ref);
    const row = byRef.get(op.ref);
    const sign = op.kind === "redemption" ? -1 : 1;
    if (op.status === undefined) {
      findings.unacknowledged++;
      // Never answered: whole or absent, and counted in the balance only if present.
      if (row) expected.set(op.member, (expected.get(op.member) ?? 0) + Number(row.amount));
      continue;
    }
    findings.acknowledged++;
    if (!isSuccess(op)) {
      if (row) findings.mismatched.push(`${op.ref}: answered ${op.status} ${op.error} but has a ledger row`);
      continue;
    }
    if (!row) {
      findings.lost.push(op.ref);
      continue;
    }
    if (Number(row.amount) !== sign * op.answeredPoints!) {
      findings.mismatched.push(`${op.ref}: ledger ${row.amount}, answered ${sign * op.answeredPoints!}`);
    }
    expected.set(op.member, (expected.get(op.member) ?? 0) + sign * op.answeredPoints!);
  }
  for (const row of rows) if (!sent.has(row.reference_id)) findings.mismatched.push(`${row.reference_id}: in the ledger, never sent`);

  findings.discrepancies = (await verifyLedger(db)).discrepancies.length;
  const [allocations] = await queryRows<{ bad: number }>(
    db,
    sql`SELECT count(*)::int AS bad FROM point_transactions t
        LEFT JOIN (SELECT transaction_id, sum(points) AS points FROM lot_allocations GROUP BY transaction_id) a ON a.transaction_id = t.id
        WHERE t.type = 'redeem' AND coalesce(a.points, 0) <> -t.amount`,
  );
  findings.badAllocations = allocations?.bad ?? 0;

  const balances = await queryRows<{ external_id: string; available_points: string }>(
    db,
    sql`SELECT m.external_id, b.available_points::text FROM members m JOIN point_balances b ON b.member_id = m.id
        WHERE m.external_id LIKE ${`${run}-%`}`,
  );
  for (const balance of balances) {
    findings.balancesChecked++;
    const want = expected.get(balance.external_id) ?? 0;
    if (Number(balance.available_points) !== want) {
      findings.balanceMismatches.push(`${balance.external_id}: balance ${balance.available_points}, acknowledged operations ${want}`);
    }
  }
  return findings;
}

export function findingsOk(f: Findings): boolean {
  return (
    f.lost.length === 0 &&
    f.doubled.length === 0 &&
    f.mismatched.length === 0 &&
    f.discrepancies === 0 &&
    f.badAllocations === 0 &&
    f.balanceMismatches.length === 0
  );
}
