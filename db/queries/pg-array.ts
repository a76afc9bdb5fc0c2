import { sql, type SQL } from "drizzle-orm";

/**
 * A PostgreSQL array literal of the values ('{"1","2",NULL}'), for `unnest(${pgArray(xs)}::bigint[], …)`.
 * Batches pass one parameter per column instead of one per value: the statement text stays the
 * same whatever the batch size (prepared once), and there is no 65,535-parameter ceiling. Every
 * element is quoted and escaped, so any text is safe.
 */
export function pgArray(values: readonly (string | number | null | undefined)[]): SQL {
  const body = values
    .map((v) => (v === null || v === undefined ? "NULL" : `"${String(v).replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`))
    .join(",");
  return sql`${`{${body}}`}`;
}
