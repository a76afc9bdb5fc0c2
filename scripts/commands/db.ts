import { migrateDatabase } from "@/db/migrate";
import { DemoInProductionError, RealDataError, seedDemoData } from "@/db/seed";
import { env } from "@/lib/env";
import { expectSubcommand, parseCommandArgs } from "../support/args";
import { describeDatabase, ScriptError, withDatabase } from "../support/open-database";
import { apiKeyText, demoAccountsText } from "../support/print-accounts";

const USAGE = "npm run cli -- db migrate | db seed --demo";

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { demo: { type: "boolean" } }, USAGE);
  const sub = expectSubcommand(positionals, ["migrate", "seed"], USAGE);
  if (sub === "migrate") {
    await withDatabase((handle) => migrateDatabase(handle), { migrateEmbedded: false, owner: true });
    console.log(`Migrations applied to the ${describeDatabase()}.`);
    return 0;
  }
  // Demo accounts share a published password: seeding is never a default, and never in production.
  if (values.demo !== true) {
    throw new ScriptError("db seed adds demo accounts with a published password and a demo API key; say so with --demo.\nUsage: " + USAGE);
  }
  if (env().NODE_ENV === "production") throw new ScriptError(new DemoInProductionError().message);
  const result = await withDatabase(async ({ db }) => {
    try {
      return await seedDemoData(db, { log: (line) => console.log(line) });
    } catch (error) {
      if (error instanceof RealDataError || error instanceof DemoInProductionError) throw new ScriptError(error.message);
      throw error;
    }
  });
  console.log(`${result.created ? "Seeded" : "Demo data already present; checked"} ${result.members} demo members on the ${describeDatabase()}.`);
  console.log(demoAccountsText("http://localhost:3000"));
  if (result.apiKey) console.log(apiKeyText(result.apiKey));
  return 0;
}
