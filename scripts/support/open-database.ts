import { connectFromEnv, EmbeddedDatabaseLockedError, type DbHandle } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import { env } from "@/lib/env";

/** Thrown for problems a script should report in one line, without a stack trace. */
export class ScriptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ScriptError";
  }
}

export function describeDatabase(): string {
  const e = env();
  if (!e.DATABASE_URL) return `embedded database in ${e.PGLITE_DIR}`;
  const url = new URL(e.DATABASE_URL);
  return `PostgreSQL ${url.hostname}:${url.port || 5432}${url.pathname}`;
}

/**
 * The database the environment names. The embedded one is migrated on open (it belongs to this
 * project alone); a server is migrated only by `db migrate`. While another process (the dev server)
 * holds the embedded folder, this refuses instead of opening it twice.
 */
export async function openDatabase(options: { migrateEmbedded?: boolean; owner?: boolean } = {}): Promise<DbHandle> {
  let handle: DbHandle;
  try {
    handle = connectFromEnv({ owner: options.owner });
  } catch (error) {
    if (error instanceof EmbeddedDatabaseLockedError) throw new ScriptError(error.message);
    throw error;
  }
  if (handle.kind === "pglite" && options.migrateEmbedded !== false) await migrateDatabase(handle);
  return handle;
}

/** Runs a script body with a database, closing it whatever happens (PGlite must be closed cleanly). */
export async function withDatabase<T>(run: (handle: DbHandle) => Promise<T>, options?: { migrateEmbedded?: boolean; owner?: boolean }): Promise<T> {
  const handle = await openDatabase(options);
  try {
    return await run(handle);
  } finally {
    await handle.close();
  }
}
