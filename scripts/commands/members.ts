import fs from "node:fs";
import path from "node:path";
import { staffActorByEmail } from "@/lib/auth/staff-actor";
import { setCacheStore } from "@/lib/cache/cache";
import { startCacheInvalidation } from "@/lib/cache/invalidation";
import { eraseMember } from "@/lib/loyalty/members/erase-member";
import { exportMemberData } from "@/lib/loyalty/members/export-member-data";
import { importMembersCsv } from "@/lib/loyalty/members/import-members";
import type { Actor } from "@/lib/loyalty/access/staff-permissions";
import { erasedIdDigest } from "@/lib/privacy/erased-id-digest";
import { expectSubcommand, parseCommandArgs } from "../support/args";
import { ScriptError, withDatabase } from "../support/open-database";

const USAGE = `npm run cli -- members import FILE.csv [--batch-size N]
       npm run cli -- members export --external-id ID [--out FILE] [--actor EMAIL]
       npm run cli -- members erase --external-id ID --reason TEXT --actor EMAIL`;
const SHOW_PROBLEMS = 50;

const OPTIONS = {
  "batch-size": { type: "string" },
  "external-id": { type: "string" },
  reason: { type: "string" },
  actor: { type: "string" },
  out: { type: "string" },
} as const;

type Values = { [K in keyof typeof OPTIONS]?: string };

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, OPTIONS, USAGE);
  const sub = expectSubcommand(positionals, ["import", "export", "erase"], USAGE);
  if (sub === "export") return runExport(positionals, values);
  if (sub === "erase") return runErase(positionals, values);
  return runImportMembers(positionals, values);
}

function required(values: Values, name: keyof Values): string {
  const value = values[name];
  if (value === undefined || value.trim() === "") throw new ScriptError(`--${name} is required.\nUsage: ${USAGE}`);
  return value;
}

function noPositionals(positionals: string[]): void {
  if (positionals.length > 1) throw new ScriptError(`Unexpected argument "${positionals[1]}".\nUsage: ${USAGE}`);
}

/**
 * `members export`: the member's data as the console and the API give it (docs/privacy.md), audited
 * as member.export via cli, by the staff account of --actor (support or admin), or as the CLI itself
 * without one. To --out FILE (created, never overwritten: it holds a person's data) or stdout.
 */
async function runExport(positionals: string[], values: Values): Promise<number> {
  noPositionals(positionals);
  const externalId = required(values, "external-id");
  if (values.out !== undefined && fs.existsSync(values.out)) throw new ScriptError(`${values.out} exists: choose another --out file.`);
  const data = await withDatabase(async ({ db }) => {
    const actor: Actor = values.actor === undefined ? { kind: "system", name: "cli" } : await staffActorByEmail(db, values.actor);
    return exportMemberData(db, actor, { externalId }, { channel: "cli" });
  });
  const text = `${JSON.stringify(data, null, 2)}\n`;
  if (values.out === undefined) {
    process.stdout.write(text);
    return 0;
  }
  fs.writeFileSync(values.out, text, { flag: "wx", mode: 0o600 });
  console.error(`Wrote member ${data.member.id}'s data to ${values.out} (${data.transactions.length} ledger rows).`);
  return 0;
}

/**
 * `members erase`: the same erasure as the console's and the API's, by the admin account of
 * --actor (the audit entry names it), with the reason kept on the audit log. A repeat answers the
 * first erasure and changes nothing. Subscribes the cache invalidation first, so that every web
 * process drops what it cached about the member at once (lib/cache).
 */
async function runErase(positionals: string[], values: Values): Promise<number> {
  noPositionals(positionals);
  const externalId = required(values, "external-id");
  const reason = required(values, "reason");
  const email = required(values, "actor");
  await startCacheInvalidation();
  const result = await withDatabase(async ({ db }) => {
    const actor = await staffActorByEmail(db, email);
    return eraseMember(db, actor, { externalId, reason }, { digest: erasedIdDigest });
  }).finally(async () => {
    await setCacheStore(undefined)?.close();
  });
  const when = result.erasedAt.toISOString();
  console.log(
    result.alreadyErased
      ? `Member ${result.memberId} was already erased on ${when} (now ${result.externalId}); nothing changed.`
      : `Erased member ${result.memberId}: now ${result.externalId}; ${result.auditEntriesRedacted} audit entries redacted, ` +
          `${result.sessionsEnded} sessions ended, ${result.holdsVoided} holds voided, ${result.notificationsDeleted} notifications deleted; ` +
          `the balance of ${result.balance} points stays on the books.`,
  );
  console.log(JSON.stringify({ ...result, erasedAt: when }));
  return 0;
}

async function runImportMembers(positionals: string[], values: Values): Promise<number> {
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
  const problems = [...report.invalid.map((p) => ({ ...p, kind: "invalid" })), ...report.duplicates.map((p) => ({ ...p, kind: "duplicate" }))].sort(
    (a, b) => a.line - b.line,
  );
  for (const p of problems.slice(0, SHOW_PROBLEMS)) console.log(`line ${p.line}: ${p.kind}: ${p.message}`);
  if (problems.length > SHOW_PROBLEMS) console.log(`… and ${problems.length - SHOW_PROBLEMS} more`);
  console.log(`created ${report.created}, existing ${report.existing}, invalid ${report.invalid.length}, duplicate ${report.duplicates.length}`);
  return report.invalid.length > 0 ? 2 : 0;
}
