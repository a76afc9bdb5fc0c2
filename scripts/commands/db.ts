import { migrateDatabase } from "@/db/migrate";
import { RealDataError, seedDemoData } from "@/db/seed";
import { expectSubcommand, parseCommandArgs } from "../support/args";
import { describeDatabase, ScriptError, withDatabase } from "../support/open-database";
import { apiKeyText, demoAccountsText } from "../support/print-accounts";

const USAGE = "npm run cli -- db migrate|seed";

export async function run(args: string[]): Promise<number> {
  const { positionals } = parseCommandArgs(args, {}, USAGE);
  const sub = expectSubcommand(positionals, ["migrate", "seed"], USAGE);
  if (sub === "migrate") {
    await withDatabase((handle) => migrateDatabase(handle), { migrateEmbedded: false });
    console.log(`Migrations applied to the ${describeDatabase()}.`);
    return 0;
  }
  const result = await withDatabase(async ({ db }) => {
    try {
      return await seedDemoData(db, { log: (line) => console.log(line) });
    } catch (error) {
      if (error instanceof RealDataError) throw new ScriptError(error.message);
      throw error;
    }
  });
  console.log(
    `${result.created ? "Seeded" : "Demo data already present; checked"} ${result.members} demo members on the ${describeDatabase()}.`,
  );
  console.log(demoAccountsText("http://localhost:3000"));
  if (result.apiKey) console.log(apiKeyText(result.apiKey));
  return 0;
}
