import { sql, type SQL } from "drizzle-orm";

const NEEDS_ESCAPE = /["\\]/;

function element(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return "NULL";
  if (typeof v === "number") return String(v);
  return `"${NEEDS_ESCAPE.test(v) ? v.replace(/\\/g, "\\\\").replace(/"/g, '\\"') : v}"`;
}

/**
 * A PostgreSQL array literal of the values ('{"a","b",1,NULL}'), for `unnest(${pgArray(xs)}::bigint[], …)`.
 * Batches pass one parameter per column instead of one per value: the statement text stays the
 * same whatever the batch size (prepared once), and there is no 65,535-parameter ceiling. Every
 * string is quoted (and escaped when it holds a quote or backslash), so any text is safe; numbers
 * need no quotes. This runs for every value of every batch, hence the fast paths.
 */
export function pgArray(values: readonly (string | number | null | undefined)[]): SQL {
  let body = "";
  for (let i = 0; i < values.length; i++) body += (i === 0 ? "" : ",") + element(values[i]);
  return sql`${`{${body}}`}`;
}
