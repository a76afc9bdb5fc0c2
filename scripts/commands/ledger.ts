import { verifyLedger } from "@/lib/loyalty/verify";
import { expectSubcommand, parseCommandArgs } from "../support/args";
import { describeDatabase, withDatabase } from "../support/open-database";

const USAGE = "npm run cli -- ledger verify";
const SHOW = 200;

export async function run(args: string[]): Promise<number> {
  const { positionals } = parseCommandArgs(args, {}, USAGE);
  expectSubcommand(positionals, ["verify"], USAGE);
  const { membersChecked, discrepancies } = await withDatabase(({ db }) => verifyLedger(db));
  for (const d of discrepancies.slice(0, SHOW)) {
    console.log(`member ${d.externalId} (id ${d.memberId}): ${d.field} cached ${d.cached}, ledger says ${d.ledger}`);
  }
  if (discrepancies.length > SHOW) console.log(`… and ${discrepancies.length - SHOW} more`);
  console.log(
    `${membersChecked} members checked on the ${describeDatabase()}: ` +
      (discrepancies.length === 0 ? "the ledger and the cached balances agree." : `${discrepancies.length} discrepancies.`),
  );
  return discrepancies.length === 0 ? 0 : 1;
}
