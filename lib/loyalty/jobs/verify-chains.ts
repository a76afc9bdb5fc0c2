import { sql, type SQL } from "drizzle-orm";
import { queryRows, type Executor } from "@/db/client";

/**
 * The tamper-evidence half of `ledger verify` (docs/ledger.md, "Tamper evidence"). The triggers of
 * drizzle/0015_ledger_tamper_evidence.sql link every ledger row into its member's hash chain and
 * every audit entry into one chain; this walks both and names every row that is not where the chain says it should be. It
 * recomputes each row's hash with the same SQL function the trigger used, so a row changed with
 * the triggers off (a superuser, `session_replication_role = replica`) is found, as is a deleted or
 * an inserted one.
 */
export type ChainFindingKind =
  /** The row's content no longer matches its hash, or the next row links to another version of it. */
  | "edited"
  /** Positions seqFrom..seqTo of the chain are missing (between two rows, or after the last one). */
  | "deleted"
  /** A row the triggers never linked: no chain position, a position taken twice, or past the head. */
  | "inserted";

export interface ChainFinding {
  chain: "ledger" | "audit";
  kind: ChainFindingKind;
  /** The member whose chain it is (ledger); null for the audit log's single chain. */
  memberId: number | null;
  /** The ledger row (or audit entry) concerned; for a deletion, the row after the gap (null at the tail). */
  rowId: number | null;
  /** Chain positions concerned (1-based); for an edited or inserted row, its own position if it has one. */
  seqFrom: number | null;
  seqTo: number | null;
  detail: string;
}

interface FindingRow {
  kind: ChainFindingKind;
  member_id: string | number | null;
  row_id: string | number | null;
  seq_from: string | number | null;
  seq_to: string | number | null;
  detail: string;
}

const GENESIS = sql.raw(`'\\x${"00".repeat(32)}'::bytea`);

/**
 * The checks of one chain, over `rows` (id, member_id, seq, prev_hash, row_hash, ok: the content
 * hash matches) ordered per member by position, and `heads` (member_id, head_seq, head). Shared by
 * the ledger (one chain per member) and the audit log (member_id 0: one chain).
 */
function chainChecks(rows: SQL, heads: SQL): SQL {
  return sql`
    WITH r AS (
      SELECT x.*, lag(x.seq) OVER w AS prev_seq, lag(x.row_hash) OVER w AS prev_row_hash, lag(x.id) OVER w AS prev_id,
             lead(x.seq) OVER w IS NULL AS is_last
      FROM (${rows}) x
      WINDOW w AS (PARTITION BY x.member_id ORDER BY x.seq, x.id)
    ), h AS (${heads})
    SELECT 'edited' AS kind, member_id, id AS row_id, seq AS seq_from, seq AS seq_to, 'content does not match its hash' AS detail
      FROM r WHERE NOT ok AND (prev_seq IS NULL OR seq <> prev_seq)
    UNION ALL
    SELECT 'inserted', member_id, id, seq, seq, 'a second row at this chain position' FROM r WHERE seq = prev_seq
    UNION ALL
    SELECT 'inserted', member_id, id, seq, seq, 'no valid chain position' FROM r WHERE seq < 1
    UNION ALL
    SELECT 'deleted', member_id, id, coalesce(prev_seq, 0) + 1, seq - 1,
           CASE WHEN prev_id IS NULL THEN 'rows missing before the first row' ELSE 'rows missing after row ' || prev_id END
      FROM r WHERE seq > coalesce(prev_seq, 0) + 1 AND (prev_seq IS NOT NULL OR seq > 1)
    UNION ALL
    -- Continuous positions whose link differs: the row before was rewritten together with its hash.
    SELECT 'edited', member_id, prev_id, prev_seq, prev_seq, 'row ' || id || ' links to another version of it'
      FROM r WHERE prev_seq = seq - 1 AND prev_hash IS DISTINCT FROM prev_row_hash
    UNION ALL
    SELECT 'edited', member_id, id, seq, seq, 'the first row does not start the chain'
      FROM r WHERE seq = 1 AND prev_seq IS NULL AND prev_hash IS DISTINCT FROM ${GENESIS}
    UNION ALL
    SELECT 'inserted', r.member_id, r.id, r.seq, r.seq, 'after the chain head'
      FROM r LEFT JOIN h ON h.member_id = r.member_id WHERE r.seq > coalesce(h.head_seq, 0)
    UNION ALL
    SELECT 'deleted', h.member_id, NULL, coalesce(l.seq, 0) + 1, h.head_seq, 'rows missing at the end of the chain'
      FROM h LEFT JOIN r l ON l.member_id = h.member_id AND l.is_last WHERE h.head_seq > coalesce(l.seq, 0)
    UNION ALL
    SELECT 'edited', l.member_id, l.id, l.seq, l.seq, 'the chain head names another version of it'
      FROM r l JOIN h ON h.member_id = l.member_id
      WHERE l.is_last AND l.seq = h.head_seq AND l.row_hash IS DISTINCT FROM h.head`;
}

function toFinding(chain: ChainFinding["chain"], row: FindingRow): ChainFinding {
  const num = (v: string | number | null) => (v === null ? null : Number(v));
  return {
    chain,
    kind: row.kind,
    memberId: chain === "audit" ? null : num(row.member_id),
    rowId: num(row.row_id),
    seqFrom: num(row.seq_from),
    seqTo: num(row.seq_to),
    detail: row.detail,
  };
}

/** Every member's ledger chain, one range of member ids per statement. */
export async function verifyLedgerChains(ex: Executor, options: { chunkSize?: number } = {}): Promise<ChainFinding[]> {
  const chunk = options.chunkSize ?? 10_000;
  const [bounds] = await queryRows<{ lo: string | number | null; hi: string | number | null }>(
    ex,
    sql`SELECT least((SELECT min(id) FROM members), (SELECT min(member_id) FROM point_transactions)) AS lo,
               greatest((SELECT max(id) FROM members), (SELECT max(member_id) FROM point_transactions)) AS hi`,
  );
  const findings: ChainFinding[] = [];
  if (!bounds || bounds.lo === null || bounds.hi === null) return findings;
  for (let from = Number(bounds.lo); from <= Number(bounds.hi); from += chunk) {
    const to = from + chunk - 1;
    const rows = await queryRows<FindingRow>(
      ex,
      sql`SELECT 'inserted' AS kind, member_id, id AS row_id, NULL::bigint AS seq_from, NULL::bigint AS seq_to, 'never linked into the chain' AS detail
          FROM point_transactions WHERE member_id BETWEEN ${from} AND ${to} AND (chain_seq IS NULL OR prev_hash IS NULL OR row_hash IS NULL)
          UNION ALL
          (${chainChecks(
            sql`SELECT t.id, t.member_id, t.chain_seq AS seq, t.prev_hash, t.row_hash,
                       t.row_hash = sha256(t.prev_hash || point_transaction_content(t)) AS ok
                FROM point_transactions t
                WHERE t.member_id BETWEEN ${from} AND ${to} AND t.chain_seq IS NOT NULL AND t.prev_hash IS NOT NULL AND t.row_hash IS NOT NULL`,
            sql`SELECT member_id, chain_seq AS head_seq, chain_head AS head FROM point_balances WHERE member_id BETWEEN ${from} AND ${to}`,
          )})
          ORDER BY 2, 4 NULLS FIRST, 3`,
    );
    findings.push(...rows.map((row) => toFinding("ledger", row)));
  }
  return findings;
}

/** The audit log's single chain. */
export async function verifyAuditChain(ex: Executor): Promise<ChainFinding[]> {
  const rows = await queryRows<FindingRow>(
    ex,
    sql`SELECT 'inserted' AS kind, 0 AS member_id, id AS row_id, NULL::bigint AS seq_from, NULL::bigint AS seq_to, 'never linked into the chain' AS detail
        FROM audit_log WHERE chain_seq IS NULL OR prev_hash IS NULL OR row_hash IS NULL
        UNION ALL
        (${chainChecks(
          // A redacted entry (audit_log_redact, drizzle/0025) no longer hashes to its row_hash: it is
          // whole when the latest 'audit.redact' entry after it names both that row_hash and the
          // hash of its content now. That record is itself chained, so it cannot be edited unseen.
          sql`WITH red AS (
                SELECT DISTINCT ON (r.target_id) r.target_id, r.chain_seq, r.after FROM audit_log r
                WHERE r.action = 'audit.redact' AND r.target_type = 'audit_log' AND r.chain_seq IS NOT NULL
                ORDER BY r.target_id, r.chain_seq DESC
              )
              SELECT a.id, 0 AS member_id, a.chain_seq AS seq, a.prev_hash, a.row_hash,
                     coalesce(a.row_hash = sha256(a.prev_hash || audit_log_content(a))
                       OR (red.chain_seq > a.chain_seq AND red.after->>'rowHash' = encode(a.row_hash, 'hex')
                           AND red.after->>'contentHash' = encode(sha256(a.prev_hash || audit_log_content(a)), 'hex')), false) AS ok
              FROM audit_log a LEFT JOIN red ON red.target_id = a.id::text
              WHERE a.chain_seq IS NOT NULL AND a.prev_hash IS NOT NULL AND a.row_hash IS NOT NULL`,
          sql`SELECT 0 AS member_id, chain_seq AS head_seq, chain_head AS head FROM audit_log_chain_head WHERE id = 1`,
        )})
        ORDER BY 4 NULLS FIRST, 3`,
  );
  return rows.map((row) => toFinding("audit", row));
}

/** Both chains: what `ledger verify` reports beside the balance reconciliation. */
export async function verifyChains(ex: Executor, options: { chunkSize?: number } = {}): Promise<ChainFinding[]> {
  return [...(await verifyLedgerChains(ex, options)), ...(await verifyAuditChain(ex))];
}
