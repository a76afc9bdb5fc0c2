import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import type { ExtractTablesWithRelations, SQL } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { env } from "@/lib/env";
import * as schema from "./schema";

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** A database handle or an open transaction: read helpers take either, so services can compose them. */
export type Executor = Db | Tx;

export interface DbHandle {
  db: Db;
  kind: "postgres" | "pglite";
  close(): Promise<void>;
}

export function connectPostgres(url: string, options: { max?: number } = {}): DbHandle {
  const client = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    // Lets a long-lived pool survive a server restart instead of handing out dead sockets.
    idle_timeout: 60,
    // postgres.js waits (0.5-1) x min(3^n / 100, 20) s before reconnecting, n counting every failed
    // connect of the whole pool: a few seconds of PostgreSQL restart grew it to 20 s, so requests
    // queued for up to 20 s instead of answering 503, and the app came back ~12 s after the server
    // did (measured by `npm run chaos`). Retry every 0.1 s, growing to 1 s at most.
    backoff: (retries: number) => Math.min(0.1 * Math.max(1, retries), 1),
    // A server that does not answer at all (a dead host) fails a request in 5 s, not postgres.js's 30.
    connect_timeout: 5,
    connection: { application_name: "loyalty" },
  });
  const db = drizzlePostgres({ client, schema, casing: "snake_case" }) as unknown as Db;
  return { db, kind: "postgres", close: () => client.end({ timeout: 5 }) };
}

export class EmbeddedDatabaseLockedError extends Error {
  constructor(dir: string, pid: number) {
    super(
      `The embedded database in ${dir} is in use by process ${pid} (probably \`npm run dev\`). ` +
        `Only one process may open it: stop that process first, or set DATABASE_URL to use a PostgreSQL server.`,
    );
    this.name = "EmbeddedDatabaseLockedError";
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * PGlite silently loses writes when two processes open one folder, so the folder is guarded by a
 * lock file holding the owner's pid. A lock left by a dead process is taken over.
 */
function acquireEmbeddedLock(dir: string): () => void {
  const lockFile = `${dir}.lock`;
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: "wx" });
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          if (fs.readFileSync(lockFile, "utf8") === String(process.pid)) fs.unlinkSync(lockFile);
        } catch {
          // already gone
        }
      };
      process.once("exit", release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number(fs.readFileSync(lockFile, "utf8").trim());
      if (owner === process.pid) return () => {};
      if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) throw new EmbeddedDatabaseLockedError(dir, owner);
      fs.rmSync(lockFile, { force: true });
    }
  }
  throw new Error(`Could not lock the embedded database in ${dir}`);
}

export function connectPglite(dir: string): DbHandle {
  const release = acquireEmbeddedLock(dir);
  fs.mkdirSync(dir, { recursive: true });
  const client = new PGlite(dir);
  const db = drizzlePglite({ client, schema, casing: "snake_case" }) as unknown as Db;
  return {
    db,
    kind: "pglite",
    close: async () => {
      await client.close();
      release();
    },
  };
}

/**
 * The handle the environment asks for: PostgreSQL when DATABASE_URL is set, embedded PGlite
 * otherwise. `owner` is for the migrations: MIGRATION_DATABASE_URL (the role that owns the tables)
 * when set, since the app's role may only append to the ledger (drizzle/0015, README); the embedded
 * database has one role for both.
 */
export function connectFromEnv(options: { owner?: boolean } = {}): DbHandle {
  const e = env();
  if (!e.DATABASE_URL) return connectPglite(e.PGLITE_DIR);
  if (options.owner && e.MIGRATION_DATABASE_URL) return connectPostgres(e.MIGRATION_DATABASE_URL, { max: 1 });
  return connectPostgres(e.DATABASE_URL, { max: e.DB_POOL_MAX });
}

// One handle per process, kept on globalThis: Next.js may load this module in several module
// graphs of one process, and a second PGlite instance on the same folder would corrupt it.
const globalForDb = globalThis as unknown as { __loyaltyDb?: DbHandle };

export function dbHandle(): DbHandle {
  globalForDb.__loyaltyDb ??= connectFromEnv();
  return globalForDb.__loyaltyDb;
}

/** Tests and scripts point the app's handle at a database of their choosing. */
export function setDbHandle(handle: DbHandle | undefined): void {
  globalForDb.__loyaltyDb = handle;
}

export function getDb(): Db {
  return dbHandle().db;
}

/** Rows of a raw `execute()`: postgres.js returns an array, PGlite an object with `rows`. */
export async function queryRows<T>(executor: Executor, query: SQL): Promise<T[]> {
  const result = (await executor.execute(query)) as unknown;
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}
