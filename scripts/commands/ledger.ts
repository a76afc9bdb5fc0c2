import { verifyChains } from "@/lib/loyalty/jobs/verify-chains";
import { verifyLedger } from "@/lib/loyalty/jobs/verify-ledger";
import { expectSubcommand, parseCommandArgs } from "../support/args";
import { ScriptError, describeDatabase, withDatabase } from "../support/open-database";
import { IMPORT_OPTIONS, runImport } from "./ledger-import";

const USAGE = "npm run cli -- ledger verify | ledger import FILE.csv [--dry-run] [--reason TEXT] [--batch-size N] [--report OUT.csv]";
const SHOW = 200;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, IMPORT_OPTIONS, USAGE);
  const sub = expectSubcommand(positionals, ["verify", "import"], USAGE);
  if (sub === "import") return runImport(positionals, values, USAGE);
  if (Object.keys(values).length > 0 || positionals.length > 1) throw new ScriptError(`Usage: ${USAGE}`);
  const { membersChecked, discrepancies, chain } = await withDatabase(async ({ db }) => ({ ...(await verifyLedger(db)), chain: await verifyChains(db) }));
  for (const d of discrepancies.slice(0, SHOW)) {
    console.log(`member ${d.externalId} (id ${d.memberId}): ${d.field} cached ${d.cached}, ledger says ${d.ledger}`);
  }
  if (discrepancies.length > SHOW) console.log(`… and ${discrepancies.length - SHOW} more`);
  console.log(
    `${membersChecked} members checked on the ${describeDatabase()}: ` +
      (discrepancies.length === 0 ? "the ledger and the cached balances agree." : `${discrepancies.length} discrepancies.`),
  );
  // Tamper evidence: the hash chains over the ledger (per member) and the audit log.
  for (const f of chain.slice(0, SHOW)) {
    const where = f.chain === "ledger" ? `member id ${f.memberId}` : "audit log";
    const seq = f.seqFrom === null ? "" : f.seqFrom === f.seqTo ? ` at position ${f.seqFrom}` : ` at positions ${f.seqFrom}–${f.seqTo}`;
    console.log(`${where}: row ${f.rowId ?? "-"} ${f.kind}${seq} (${f.detail})`);
  }
  if (chain.length > SHOW) console.log(`… and ${chain.length - SHOW} more`);
  console.log(chain.length === 0 ? "Hash chains intact: no row edited, deleted or inserted." : `${chain.length} rows break the hash chains.`);
  return discrepancies.length === 0 && chain.length === 0 ? 0 : 1;
}
