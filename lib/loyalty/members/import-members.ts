import type { Readable } from "node:stream";
import { parse, type CsvError } from "csv-parse";
import { z } from "zod";
import type { Db } from "@/db/client";
import { members, pointBalances } from "@/db/schema";
import { writeAudit } from "../audit/audit-log";
import { externalIdSchema } from "../accrual/event-input";
import { CONTROL_MESSAGE, hasControlCharacters } from "../input/input-bounds";
import { isReservedExternalId, RESERVED_EXTERNAL_ID_MESSAGE } from "../rules/erased-ids";

export const IMPORT_COLUMNS = ["externalId", "email", "name"] as const;

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `must be at most ${max} characters`)
    .refine((v) => !hasControlCharacters(v), CONTROL_MESSAGE)
    .transform((v) => (v === "" ? null : v))
    .nullable()
    .default(null);

const importRowSchema = z.object({
  externalId: externalIdSchema.refine((v) => !isReservedExternalId(v), RESERVED_EXTERNAL_ID_MESSAGE),
  email: optionalText(320).pipe(z.email("must be an email address").nullable()),
  name: optionalText(200),
});

export interface ImportProblem {
  /** Line of the CSV file (the header is line 1). */
  line: number;
  field?: string;
  message: string;
}

export interface ImportReport {
  created: number;
  existing: number;
  /** Rows whose externalId appeared earlier in the same file; the first one wins. */
  duplicates: ImportProblem[];
  invalid: ImportProblem[];
}

interface PendingRow {
  line: number;
  externalId: string;
  email: string | null;
  name: string | null;
}

/**
 * Imports members from CSV (header externalId,email,name; other orders fine), streaming: rows are
 * validated one by one and written in batches, each one transaction that creates the new members
 * with their balance rows (existing members are left untouched, as ensureMember does). A malformed
 * row is reported with its line and does not stop the import.
 */
export async function importMembersCsv(
  db: Db,
  input: Readable,
  options: { actor: string; source: string; batchSize?: number; onBatch?: (report: ImportReport) => void },
): Promise<ImportReport> {
  const batchSize = options.batchSize ?? 1000;
  const report: ImportReport = { created: 0, existing: 0, duplicates: [], invalid: [] };
  // First line of each externalId seen; grows with the file (about 100 bytes a row).
  const seen = new Map<string, number>();
  let batch: PendingRow[] = [];

  const parser = input.pipe(
    parse({
      bom: true,
      columns: (header: string[]) => header.map(checkColumn),
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
    }),
  );
  parser.on("skip", (error: CsvError) => {
    report.invalid.push({ line: Number(error.lines ?? 0), message: error.message });
  });

  for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
    const line = info.lines;
    const parsed = importRowSchema.safeParse(record);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.join(".") || undefined;
      report.invalid.push({ line, field, message: field ? `${field} ${issue.message}` : issue.message });
      continue;
    }
    const first = seen.get(parsed.data.externalId);
    if (first !== undefined) {
      report.duplicates.push({ line, field: "externalId", message: `repeats line ${first}` });
      continue;
    }
    seen.set(parsed.data.externalId, line);
    batch.push({ line, ...parsed.data });
    if (batch.length >= batchSize) {
      await writeBatch(db, batch, report, options);
      batch = [];
      options.onBatch?.(report);
    }
  }
  if (batch.length > 0) await writeBatch(db, batch, report, options);
  report.invalid.sort((a, b) => a.line - b.line);
  return report;
}

function checkColumn(header: string): string {
  const name = header.trim();
  const known = IMPORT_COLUMNS.find((c) => c.toLowerCase() === name.toLowerCase().replace(/_/g, ""));
  if (!known) throw new Error(`Unknown column "${name}": expected ${IMPORT_COLUMNS.join(", ")}`);
  return known;
}

async function writeBatch(db: Db, rows: PendingRow[], report: ImportReport, options: { actor: string; source: string }): Promise<void> {
  const created = await db.transaction(async (tx) => {
    const inserted = await tx
      .insert(members)
      .values(rows.map(({ externalId, email, name }) => ({ externalId, email, name })))
      .onConflictDoNothing({ target: members.externalId })
      .returning({ id: members.id, externalId: members.externalId });
    if (inserted.length > 0) {
      await tx.insert(pointBalances).values(inserted.map((m) => ({ memberId: m.id })));
      await writeAudit(tx, {
        actor: options.actor,
        action: "members.import",
        targetType: "import",
        targetId: options.source,
        after: { created: inserted.length, fromLine: rows[0]!.line, toLine: rows[rows.length - 1]!.line },
      });
    }
    return inserted.length;
  });
  report.created += created;
  report.existing += rows.length - created;
}
