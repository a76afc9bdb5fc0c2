import postgres from "postgres";
import { connectPostgres } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import { benchDatabaseUrl, type BenchConfig } from "./config";

export type Sql = postgres.Sql;

export function rawSql(url: string, max = 4): Sql {
  return postgres(url, { max, onnotice: () => {}, idle_timeout: 30 });
}

export async function recreateDatabase(config: BenchConfig): Promise<void> {
  const admin = rawSql(config.BENCH_ADMIN_URL, 1);
  await admin.unsafe(`DROP DATABASE IF EXISTS "${config.BENCH_DATABASE}" WITH (FORCE)`);
  await admin.unsafe(`CREATE DATABASE "${config.BENCH_DATABASE}"`);
  await admin.end();
  const handle = connectPostgres(benchDatabaseUrl(config), { max: 1 });
  await migrateDatabase(handle);
  await handle.close();
}

export async function databaseExists(config: BenchConfig): Promise<boolean> {
  const admin = rawSql(config.BENCH_ADMIN_URL, 1);
  const rows = await admin`SELECT 1 FROM pg_database WHERE datname = ${config.BENCH_DATABASE}`;
  await admin.end();
  return rows.length > 0;
}

export async function timed<T>(label: string, work: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const started = performance.now();
  const value = await work();
  const seconds = (performance.now() - started) / 1000;
  console.log(`  ${label}: ${seconds.toFixed(1)} s`);
  return { value, seconds };
}

/** The server settings that decide write throughput, printed with every figure. */
const WRITE_SETTINGS = ["shared_buffers", "max_wal_size", "checkpoint_timeout", "wal_compression", "synchronous_commit"] as const;

/** Machine facts printed with every figure (BENCHMARKS.md keeps them next to the numbers). */
export async function machineFacts(sql: Sql): Promise<string> {
  const os = await import("node:os");
  const [{ version }] = (await sql`SELECT current_setting('server_version') AS version`) as unknown as [{ version: string }];
  const settings = await sql<{ name: string; setting: string }[]>`
    SELECT name, current_setting(name) AS setting FROM unnest(${WRITE_SETTINGS as unknown as string[]}::text[]) AS name`;
  return (
    `${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}), ${Math.round(os.totalmem() / 2 ** 30)} GB RAM, PostgreSQL ${version} ` +
    `(${settings.map((s) => `${s.name}=${s.setting}`).join(", ")}), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`
  );
}

/**
 * Flushes every dirty page before a measured path, so each path starts from the same WAL state:
 * the first change of a page after a checkpoint writes a full-page image, and a path that ran
 * after a checkpoint would otherwise pay for the paths run before it. Needs a superuser (or
 * pg_checkpoint) at BENCH_ADMIN_URL; without one it says so and goes on.
 */
export async function checkpoint(adminUrl: string): Promise<void> {
  const sql = rawSql(adminUrl, 1);
  try {
    await sql`CHECKPOINT`;
  } catch (error) {
    console.log(`  (no CHECKPOINT before this path: ${(error as Error).message})`);
  } finally {
    await sql.end();
  }
}
