import fs from "node:fs";
import path from "node:path";
import { importMembersCsv } from "@/lib/loyalty/member-import";
import { expectSubcommand, parseCommandArgs } from "../support/args";
import { ScriptError, withDatabase } from "../support/open-database";

const USAGE = "npm run cli -- members import FILE.csv [--batch-size N]";
const SHOW_PROBLEMS = 50;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { "batch-size": { type: "string" } }, USAGE);
  expectSubcommand(positionals, ["import"], USAGE);
  const file = positionals[1];
  if (!file || positionals.length > 2) throw new ScriptError(`Usage: ${USAGE}`);
  const batchSize = values["batch-size"] === undefined ? 1000 : Number(values["batch-size"]);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 5000) {
    throw new ScriptError("--batch-size must be a whole number from 1 to 5000.");
  }
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new ScriptError(`No such file: ${file}`);

  const report = await withDatabase(({ db }) =>
    importMembersCsv(db, fs.createReadStream(file), {
      actor: "cli",
      source: path.basename(file),
      batchSize,
      onBatch: (r) => process.stderr.write(`… ${r.created + r.existing} rows written\n`),
    }),
  );
  const problems = [
    ...report.invalid.map((p) => ({ ...p, kind: "invalid" })),
    ...report.duplicates.map((p) => ({ ...p, kind: "duplicate" })),
  ].sort((a, b) => a.line - b.line);
  for (const p of problems.slice(0, SHOW_PROBLEMS)) console.log(`line ${p.line}: ${p.kind}: ${p.message}`);
  if (problems.length > SHOW_PROBLEMS) console.log(`… and ${problems.length - SHOW_PROBLEMS} more`);
  console.log(
    `created ${report.created}, existing ${report.existing}, invalid ${report.invalid.length}, duplicate ${report.duplicates.length}`,
  );
  return report.invalid.length > 0 ? 2 : 0;
}
