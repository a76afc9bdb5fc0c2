import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { connectPglite, type DbHandle } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";

/**
 * A migrated embedded PGlite database of this describe block's own, in a temporary folder removed
 * afterwards: the app's default database, for SQL that must run there as on the server.
 * Usage: `const embedded = useEmbeddedDatabase("ledger-pglite-");` then `embedded().db` in the tests.
 */
export function useEmbeddedDatabase(prefix: string): () => DbHandle {
  let dir: string;
  let handle: DbHandle;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    handle = connectPglite(path.join(dir, "db"));
    await migrateDatabase(handle);
  }, 60_000);
  afterAll(async () => {
    await handle.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return () => handle;
}
