import postgres from "postgres";
import { inject } from "vitest";
import { connectPostgres, type Db, type DbHandle } from "@/db/client";
import { adminUrl, databaseUrl } from "./database-url";

export interface TestDatabase {
  db: Db;
  /** URL of this file's own database, for tests that open more connections (races, child processes). */
  url: string;
  name: string;
  /** Opens another independent pool on the same database; closed by drop(). */
  connect(max?: number): DbHandle;
  drop(): Promise<void>;
}

let counter = 0;

/**
 * A fresh, migrated database of this test file's own (cloned from the run's template).
 * Usage: `const t = await createTestDatabase(); afterAll(() => t.drop());`
 */
export async function createTestDatabase(options: { poolMax?: number } = {}): Promise<TestDatabase> {
  const template = inject("templateDatabase");
  // The pid in the name is the main process's, so its teardown can sweep what a crashed worker left.
  const mainPid = template.split("_")[2];
  const name = `loyalty_t_${mainPid}_${process.pid}_${Date.now()}_${counter++}`;
  const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  await admin.end();

  const url = databaseUrl(name);
  const handles: DbHandle[] = [connectPostgres(url, { max: options.poolMax ?? 10 })];
  return {
    db: handles[0]!.db,
    url,
    name,
    connect(max = 10) {
      const handle = connectPostgres(url, { max });
      handles.push(handle);
      return handle;
    },
    async drop() {
      await Promise.all(handles.map((h) => h.close()));
      const admin2 = postgres(adminUrl(), { max: 1, onnotice: () => {} });
      await admin2.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin2.end();
    },
  };
}
