import type { Sql } from "./bench-db";

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  Plans?: PlanNode[];
}

const BIG_TABLES = new Set(["members", "point_transactions", "point_balances", "lot_allocations", "login_check_ins"]);

function walk(node: PlanNode, out: string[]) {
  if (node["Relation Name"] || node["Index Name"]) {
    out.push(`${node["Node Type"]}${node["Index Name"] ? ` ${node["Index Name"]}` : ""}${node["Relation Name"] ? ` on ${node["Relation Name"]}` : ""}`);
  }
  for (const child of node.Plans ?? []) walk(child, out);
}

/**
 * EXPLAIN (ANALYZE, BUFFERS) of every request-path query (and the expiry job's per-batch lookup),
 * on a heavy member of the bench data. A sequential scan of a large table fails the check.
 */
export async function explainRequestPaths(sql: Sql): Promise<{ name: string; ok: boolean; ms: number; nodes: string[] }[]> {
  const [heavy] = await sql<{ member_id: string; external_id: string }[]>`
    SELECT t.member_id, m.external_id FROM point_transactions t JOIN members m ON m.id = t.member_id
    WHERE t.member_id BETWEEN 1 AND 2000 GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 1`;
  const id = Number(heavy!.member_id);
  const ext = heavy!.external_id;
  const [mid] = await sql<{ id: string }[]>`SELECT id FROM point_transactions WHERE member_id = ${id} ORDER BY id DESC OFFSET 20 LIMIT 1`;
  const cursorId = Number(mid?.id ?? 1);
  const ids = Array.from({ length: 500 }, (_, i) => 1 + ((i * 7919) % 1_000_000));
  const queries: [string, string][] = [
    ["member by externalId", `SELECT * FROM members WHERE external_id = '${ext}' LIMIT 1`],
    ["balance", `SELECT available_points, tier_spend_12m FROM point_balances WHERE member_id = ${id}`],
    ["past-due points", `SELECT coalesce(sum(remaining), 0) FROM point_transactions WHERE member_id = ${id} AND remaining > 0 AND expires_at <= now()`],
    [
      "expiring soon",
      `SELECT sum(remaining), min(expires_at) FROM point_transactions WHERE member_id = ${id} AND remaining > 0 AND expires_at > now() AND expires_at <= now() + interval '30 days' GROUP BY date_trunc('day', expires_at AT TIME ZONE 'UTC')`,
    ],
    ["history first page", `SELECT * FROM point_transactions WHERE member_id = ${id} ORDER BY id DESC LIMIT 21`],
    ["history next page", `SELECT * FROM point_transactions WHERE member_id = ${id} AND id < ${cursorId} ORDER BY id DESC LIMIT 21`],
    ["history filtered by type", `SELECT * FROM point_transactions WHERE member_id = ${id} AND type IN ('redeem') ORDER BY id DESC LIMIT 21`],
    [
      "open lots (FIFO)",
      `SELECT id, expires_at, remaining FROM point_transactions WHERE member_id = ANY('{${id}}'::bigint[]) AND remaining > 0 ORDER BY member_id, expires_at, id`,
    ],
    ["batch: members by externalId", `SELECT * FROM members WHERE external_id IN (${ids.map((i) => `'m${i}'`).join(",")})`],
    ["batch: lock balances", `SELECT member_id, available_points FROM point_balances WHERE member_id IN (${ids.join(",")}) ORDER BY member_id FOR UPDATE`],
    ["batch: references", `SELECT * FROM point_transactions WHERE reference_type = 'purchase' AND reference_id IN (${ids.map((i) => `'p${i}'`).join(",")})`],
    ["active campaigns", `SELECT * FROM campaigns WHERE paused_at IS NULL AND archived_at IS NULL AND starts_at <= now() AND ends_at > now()`],
    // The nightly expiry job's per-batch lookup: once planned as a scan of every expire row.
    [
      "job: prior expiries of 500 lots",
      `SELECT related_transaction_id, count(*) FROM point_transactions WHERE related_transaction_id IN (${ids.join(",")}) AND type = 'expire' GROUP BY 1`,
    ],
  ];
  const report = [];
  for (const [name, query] of queries) {
    const result = await sql.begin(async (tx) => {
      const rows = await tx.unsafe(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${query}`);
      await tx`ROLLBACK AND CHAIN`; // FOR UPDATE locks are released at once
      return rows;
    });
    const plan = (result[0] as unknown as { "QUERY PLAN": [{ Plan: PlanNode; "Execution Time": number }] })["QUERY PLAN"][0];
    const nodes: string[] = [];
    walk(plan.Plan, nodes);
    const ok = !nodes.some((n) => n.startsWith("Seq Scan") && BIG_TABLES.has(n.split(" on ")[1] ?? ""));
    report.push({ name, ok, ms: plan["Execution Time"], nodes });
  }
  return report;
}
