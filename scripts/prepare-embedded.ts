import "./support/load-env";
import { migrateDatabase } from "@/db/migrate";
import { hasDemoAccounts, isEmptyDatabase, seedDemoData } from "@/db/seed";
import { env } from "@/lib/env";
import { runMain } from "./support/run-main";
import { describeDatabase, withDatabase } from "./support/open-database";
import { apiKeyText, demoAccountsText } from "./support/print-accounts";

/**
 * Runs before `next dev` / `next start`: migrates the database, seeds demo data into a new one,
 * prints the demo accounts, and closes it again, so the server is the only process holding the
 * embedded folder once it starts. Against DATABASE_URL it migrates, and seeds only an empty database.
 */
runMain(async () => {
  const started = Date.now();
  const result = await withDatabase(
    async (handle) => {
      await migrateDatabase(handle);
      if (!(await isEmptyDatabase(handle.db))) return { seeded: null, demo: await hasDemoAccounts(handle.db) };
      console.log(`New database: adding demo data to the ${describeDatabase()}…`);
      return { seeded: await seedDemoData(handle.db, { log: (line) => console.log(`  ${line}`) }), demo: true };
    },
    { migrateEmbedded: false },
  );
  const authUrl = env().AUTH_URL;
  const baseUrl = authUrl ? new URL(authUrl).origin : "http://localhost:3000";
  console.log(`Database ready (${describeDatabase()}, ${((Date.now() - started) / 1000).toFixed(1)} s).`);
  if (result.seeded?.apiKey) console.log(apiKeyText(result.seeded.apiKey));
  if (result.demo) console.log(demoAccountsText(baseUrl));
  return 0;
});
