import "./support/load-env";
import { migrateDatabase } from "@/db/migrate";
import { hasDemoAccounts, isEmptyDatabase, seedDemoData } from "@/db/seed";
import { env } from "@/lib/env";
import { parseCommandArgs } from "./support/args";
import { runMain } from "./support/run-main";
import { describeDatabase, withDatabase } from "./support/open-database";
import { apiKeyText, demoAccountsText } from "./support/print-accounts";

const USAGE = "tsx scripts/prepare-embedded.ts [--demo]";

/**
 * Runs before `next dev` / `next start`: migrates the database and closes it again, so the server
 * is the only process holding the embedded folder once it starts.
 *
 * Demo accounts (with a published password) and a demo API key are a hole in a real deployment, so
 * only `npm run dev` passes --demo, and even then they are added only to a new *embedded* database
 * outside production. `npm start`, any NODE_ENV=production start and any DATABASE_URL get the
 * migrations alone, and nothing secret is printed; `npm run db:seed -- --demo` seeds on purpose.
 */
runMain(async () => {
  const { values } = parseCommandArgs(process.argv.slice(2), { demo: { type: "boolean" } }, USAGE);
  const e = env();
  const demo = values.demo === true && e.NODE_ENV !== "production";
  const seedable = demo && !e.DATABASE_URL;
  const started = Date.now();
  const result = await withDatabase(
    async (handle) => {
      await migrateDatabase(handle);
      if (!demo) return { seeded: null, demo: false, empty: false };
      const empty = await isEmptyDatabase(handle.db);
      if (!empty || !seedable) return { seeded: null, demo: await hasDemoAccounts(handle.db), empty };
      console.log(`New database: adding demo data to the ${describeDatabase()}…`);
      return { seeded: await seedDemoData(handle.db, { log: (line) => console.log(`  ${line}`) }), demo: true, empty };
    },
    { migrateEmbedded: false, owner: true },
  );
  const baseUrl = e.AUTH_URL ? new URL(e.AUTH_URL).origin : "http://localhost:3000";
  console.log(`Database ready (${describeDatabase()}, ${((Date.now() - started) / 1000).toFixed(1)} s).`);
  if (result.seeded?.apiKey) console.log(apiKeyText(result.seeded.apiKey));
  if (result.demo) console.log(demoAccountsText(baseUrl));
  else if (demo && result.empty) console.log("No demo data on a database server: `npm run db:seed -- --demo` adds it.");
  return 0;
});
