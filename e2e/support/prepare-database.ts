// Runs before `next build && next start` (Playwright starts the web server before globalSetup):
// a fresh database of this run's own, migrated and seeded with the demo accounts.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import postgres from "postgres";
import { connectPostgres } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import { ADMIN_URL, databaseUrl, E2E_DATABASE } from "./e2e-env";

async function main() {
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`DROP DATABASE IF EXISTS "${E2E_DATABASE}" WITH (FORCE)`);
  await admin.unsafe(`CREATE DATABASE "${E2E_DATABASE}"`);
  await admin.end();

  const handle = connectPostgres(databaseUrl(), { max: 1 });
  await migrateDatabase(handle);
  await handle.close();

  const scripts = (JSON.parse(fs.readFileSync("package.json", "utf8")) as { scripts?: Record<string, string> }).scripts ?? {};
  if (scripts["db:seed"]) {
    execFileSync("npm", ["run", "--silent", "db:seed", "--", "--demo"], { stdio: "inherit", env: { ...process.env, DATABASE_URL: databaseUrl() } });
  } else {
    console.warn("no db:seed script yet: the e2e database has no demo accounts");
  }
  console.log(`e2e database ${E2E_DATABASE} ready`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
