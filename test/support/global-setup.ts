import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { connectPostgres } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import { adminUrl, databaseUrl } from "./database-url";

/**
 * Migrates one template database per run; every test file then clones it (CREATE DATABASE …
 * TEMPLATE), which takes milliseconds instead of replaying the migrations each time.
 */
export default async function setup(project: TestProject) {
  const template = `loyalty_tpl_${process.pid}_${Date.now()}`;
  const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE "${template}"`);
  const handle = connectPostgres(databaseUrl(template), { max: 1 });
  await migrateDatabase(handle);
  await handle.close();
  project.provide("templateDatabase", template);

  return async () => {
    // Clones are dropped by their files; sweep any left by a crashed worker, then the template.
    const leftovers = await admin<{ datname: string }[]>`
      SELECT datname FROM pg_database WHERE datname LIKE ${`loyalty_t_${process.pid}_%`}`;
    for (const { datname } of leftovers) await admin.unsafe(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    await admin.unsafe(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`);
    await admin.end();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    templateDatabase: string;
  }
}
