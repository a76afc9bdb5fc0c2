import fs from "node:fs";
import path from "node:path";
import { stringify } from "csv-stringify";
import { importOpeningBalances, IMPORT_BATCH_SIZE, type ImportLine } from "@/lib/loyalty/accrual/import-opening-balances";
import { ScriptError, describeDatabase, withDatabase } from "../support/open-database";

export const IMPORT_OPTIONS = {
  "dry-run": { type: "boolean" },
  reason: { type: "string" },
  "batch-size": { type: "string" },
  report: { type: "string" },
} as const;

const SHOW = 50;

/**
 * `ledger import FILE.csv`: opening balances (docs/ledger.md, "Opening balances"). Prints the lines
 * that were not imported (the first 50) and the figures; `--report` writes every line's outcome as
 * CSV. Exit 0 when every line was imported or was already there, 2 when some were rejected or
 * conflicted, 1 when the file was refused.
 */
export async function runImport(
  positionals: string[],
  values: { "dry-run"?: boolean; reason?: string; "batch-size"?: string; report?: string },
  usage: string,
): Promise<number> {
  const file = positionals[1];
  if (!file || positionals.length > 2) throw new ScriptError(`Usage: ${usage}`);
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new ScriptError(`No such file: ${file}`);
  const batchSize = values["batch-size"] === undefined ? IMPORT_BATCH_SIZE : Number(values["batch-size"]);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > IMPORT_BATCH_SIZE) {
    throw new ScriptError(`--batch-size must be a whole number from 1 to ${IMPORT_BATCH_SIZE}.`);
  }
  const source = path.basename(file);
  const dryRun = values["dry-run"] ?? false;
  const out = values.report ? stringify({ header: true, columns: ["line", "outcome", "code", "field", "message"] }) : null;
  const done =
    out && values.report
      ? new Promise<void>((resolve, reject) =>
          out
            .pipe(fs.createWriteStream(values.report!))
            .on("finish", () => resolve())
            .on("error", reject),
        )
      : null;
  const started = performance.now();
  const report = await withDatabase(({ db }) =>
    importOpeningBalances(db, fs.createReadStream(file), {
      actor: { kind: "system", name: "cli" },
      reason: values.reason ?? `opening balances from ${source}`,
      source,
      dryRun,
      batchSize,
      onLine: out
        ? (l) =>
            out.write(
              l.kind === "accepted"
                ? [l.line, l.expired ? "accepted (expired)" : "accepted", "", "", ""]
                : [l.line, l.kind, (l as ImportLine).code ?? "", (l as ImportLine).field ?? "", (l as ImportLine).message],
            )
        : undefined,
      onBatch: (r) => process.stderr.write(`… ${r.rows} rows read, ${r.accepted} accepted\n`),
    }),
  );
  out?.end();
  await done;
  const seconds = (performance.now() - started) / 1000;
  for (const l of report.lines.slice(0, SHOW)) {
    console.log(`line ${l.line}: ${l.kind}${l.code ? ` (${l.code})` : ""}: ${l.message}`);
  }
  const listed = report.duplicates + report.conflicts + report.rejected;
  if (listed > SHOW) console.log(`… and ${listed - SHOW} more${values.report ? ` (every line in ${values.report})` : ""}`);
  if (report.refused) {
    console.log(`Refused: ${report.refused}. Nothing was imported.`);
    return 1;
  }
  console.log(
    `${dryRun ? "Dry run (nothing written): would import" : "Imported"} ${report.accepted} of ${report.rows} rows into the ${describeDatabase()}: ` +
      `${report.points} points, of which ${report.expired} lots (${report.expiredPoints} points) already expired; ` +
      `${report.membersCreated} members ${dryRun ? "to create" : "created"}; ${report.duplicates} duplicates, ${report.conflicts} conflicts, ` +
      `${report.rejected} rejected; ${seconds.toFixed(1)} s (${Math.round(report.rows / Math.max(seconds, 0.001))} rows/s).`,
  );
  return report.conflicts > 0 || report.rejected > 0 ? 2 : 0;
}
