import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { once } from "node:events";
import { pipeline } from "node:stream/promises";
import { z } from "zod";
import { connectPostgres } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import { verifyChains } from "@/lib/loyalty/jobs/verify-chains";
import { importOpeningBalances } from "@/lib/loyalty/accrual/import-opening-balances";
import { verifyLedger } from "@/lib/loyalty/jobs/verify-ledger";
import { checkpoint, machineFacts, rawSql } from "./bench-db";
import { benchConfig, benchDatabaseUrl } from "./config";
import { runIfMain } from "./run-main";
import { fmt } from "./stats";

const importEnv = z.object({
  BENCH_IMPORT_ROWS: z.coerce.number().int().positive().default(1_000_000),
  /** Lots per member: a migration brings a few lots per member (5 by default: 200,000 members). */
  BENCH_IMPORT_LOTS_PER_MEMBER: z.coerce.number().int().positive().default(5),
  BENCH_IMPORT_DATABASE: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/)
    .default("loyalty_bench_import"),
  /** Verify balances and hash chains after the import (a full pass: minutes for 1M rows). */
  BENCH_IMPORT_VERIFY: z.enum(["0", "1"]).default("1"),
});

const NOW = new Date("2026-12-01T00:00:00.000Z");

/**
 * Writes the opening-balance CSV: `rows` lots over rows/lotsPerMember members, earned over the two
 * years before NOW; one row in ten carries an expiresAt already past (booked as expired), one in
 * three its own future expiresAt, the rest the programme's expiry.
 */
async function writeCsv(file: string, rows: number, lotsPerMember: number): Promise<number> {
  const out = fs.createWriteStream(file);
  out.write("externalId,points,earnedAt,expiresAt,reference\n");
  const dayMs = 86_400_000;
  let chunk = "";
  for (let i = 0; i < rows; i++) {
    const member = Math.floor(i / lotsPerMember);
    const earnedAt = new Date(NOW.getTime() - (30 + ((i * 7919) % 700)) * dayMs);
    const expiresAt =
      i % 10 === 0 ? new Date(NOW.getTime() - ((i % 20) + 1) * dayMs).toISOString() : i % 3 === 0 ? new Date(NOW.getTime() + 400 * dayMs).toISOString() : "";
    const points = 1 + ((i * 31) % 500);
    // An expiresAt before earnedAt would be refused; the past ones are all after it (30+ days back).
    chunk += `bench-m-${member},${points},${earnedAt.toISOString()},${expiresAt},old-${i}\n`;
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await once(out, "drain");
      chunk = "";
    }
  }
  out.end(chunk);
  await once(out, "finish");
  return fs.statSync(file).size;
}

/**
 * `npm run bench:import`: generates a CSV of 1M opening-balance rows, loads it once with a plain
 * COPY into a scratch table (no index, no trigger: the floor), then imports it with
 * importOpeningBalances (csv-parse stream, batches of 5,000 through insertLedgerRows and the chain
 * triggers, members created) into a freshly migrated database, and prints rows/s of both.
 */
export async function benchImport() {
  const config = benchConfig();
  const env = importEnv.parse(process.env);
  const url = benchDatabaseUrl(config, env.BENCH_IMPORT_DATABASE);
  const admin = rawSql(config.BENCH_ADMIN_URL, 1);
  await admin.unsafe(`DROP DATABASE IF EXISTS "${env.BENCH_IMPORT_DATABASE}" WITH (FORCE)`);
  await admin.unsafe(`CREATE DATABASE "${env.BENCH_IMPORT_DATABASE}"`);
  await admin.end();
  const migrating = connectPostgres(url, { max: 1 });
  await migrateDatabase(migrating);
  await migrating.close();

  const sql = rawSql(url, 1);
  console.log(`import: ${await machineFacts(sql)}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-import-"));
  const file = path.join(dir, "opening-balances.csv");
  try {
    const rows = env.BENCH_IMPORT_ROWS;
    const started = performance.now();
    const bytes = await writeCsv(file, rows, env.BENCH_IMPORT_LOTS_PER_MEMBER);
    console.log(
      `import: ${fmt(rows)} rows, ${fmt(Math.ceil(rows / env.BENCH_IMPORT_LOTS_PER_MEMBER))} members, ${(bytes / 2 ** 20).toFixed(0)} MB CSV written in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );

    await sql`CREATE TABLE import_scratch (external_id text, points bigint, earned_at timestamptz, expires_at timestamptz, reference text)`;
    await checkpoint(config.BENCH_ADMIN_URL);
    const copyStarted = performance.now();
    const copy = await sql`COPY import_scratch FROM STDIN WITH (FORMAT csv, HEADER true)`.writable();
    await pipeline(fs.createReadStream(file), copy);
    const copySeconds = (performance.now() - copyStarted) / 1000;
    const [{ n }] = (await sql`SELECT count(*)::int AS n FROM import_scratch`) as unknown as [{ n: number }];
    console.log(`  COPY into a scratch table (no index, no trigger): ${fmt(n)} rows in ${copySeconds.toFixed(1)} s, ${fmt(n / copySeconds)} rows/s`);

    // Where the rest goes: the same rows as lots, set-based in one statement, into a table shaped like
    // the ledger with its indexes and checks but without its triggers (hash chain) and foreign keys.
    await sql`CREATE TABLE ledger_like (LIKE point_transactions INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING CONSTRAINTS INCLUDING INDEXES INCLUDING GENERATED)`;
    await checkpoint(config.BENCH_ADMIN_URL);
    const likeStarted = performance.now();
    await sql`INSERT INTO ledger_like (member_id, type, amount, reference_type, reference_id, occurred_at, expires_at, remaining, created_by, description)
              SELECT hashtext(external_id) & 1048575, 'earn', points, 'import', reference, earned_at, coalesce(expires_at, earned_at + interval '12 months'),
                     points, 'job:bench', 'Opening balance'
              FROM import_scratch`;
    const likeSeconds = (performance.now() - likeStarted) / 1000;
    await sql`DROP TABLE ledger_like`;
    await sql`DROP TABLE import_scratch`;
    console.log(
      `  INSERT … SELECT of them into a copy of the ledger (its indexes and checks, no trigger, no foreign key): ${likeSeconds.toFixed(1)} s, ${fmt(n / likeSeconds)} rows/s`,
    );

    await checkpoint(config.BENCH_ADMIN_URL);
    const handle = connectPostgres(url, { max: 2 });
    try {
      const importStarted = performance.now();
      let lastReport = importStarted;
      const report = await importOpeningBalances(handle.db, fs.createReadStream(file), {
        actor: { kind: "system", name: "bench" },
        reason: "bench:import",
        source: path.basename(file),
        now: NOW,
        onBatch: (r) => {
          if (performance.now() - lastReport > 10_000) {
            lastReport = performance.now();
            console.log(`    … ${fmt(r.rows)} rows, ${fmt(r.rows / ((lastReport - importStarted) / 1000))} rows/s so far`);
          }
        },
      });
      const seconds = (performance.now() - importStarted) / 1000;
      const rate = report.rows / seconds;
      console.log(
        `  importOpeningBalances: ${fmt(report.accepted)} of ${fmt(report.rows)} rows accepted (${fmt(report.expired)} booked as expired, ${fmt(report.membersCreated)} members created, ` +
          `${report.rejected} rejected) in ${seconds.toFixed(1)} s, ${fmt(rate)} rows/s, ratio to COPY ${(rate / (n / copySeconds)).toFixed(3)}`,
      );
      const [ledger] =
        (await sql`SELECT count(*)::int AS rows, pg_size_pretty(pg_total_relation_size('point_transactions')) AS size FROM point_transactions`) as unknown as [
          { rows: number; size: string },
        ];
      console.log(`  ledger afterwards: ${fmt(ledger.rows)} rows (lots and their expiries), point_transactions ${ledger.size} with its indexes`);

      const dryStarted = performance.now();
      const dry = await importOpeningBalances(handle.db, fs.createReadStream(file), {
        actor: { kind: "system", name: "bench" },
        reason: "bench:import",
        source: path.basename(file),
        now: NOW,
        dryRun: true,
      });
      const drySeconds = (performance.now() - dryStarted) / 1000;
      console.log(
        `  re-import as a dry run: ${fmt(dry.duplicates)} duplicates, ${dry.accepted} new, in ${drySeconds.toFixed(1)} s, ${fmt(dry.rows / drySeconds)} rows/s`,
      );

      if (env.BENCH_IMPORT_VERIFY === "1") {
        const verifyStarted = performance.now();
        const { membersChecked, discrepancies } = await verifyLedger(handle.db);
        const chains = await verifyChains(handle.db);
        console.log(
          `  ledger verify: ${fmt(membersChecked)} members, ${discrepancies.length} discrepancies, ${chains.length} chain findings (${((performance.now() - verifyStarted) / 1000).toFixed(1)} s)`,
        );
        if (discrepancies.length > 0 || chains.length > 0) throw new Error("the imported ledger does not verify");
      }
    } finally {
      await handle.close();
    }
  } finally {
    await sql.end();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, benchImport);
