import { Readable } from "node:stream";
import postgres from "postgres";
import { pipeline } from "node:stream/promises";
import { connectPostgres } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import { benchConfig, benchDatabaseUrl } from "./config";
import { databaseExists, machineFacts, rawSql, recreateDatabase, timed, type Sql } from "./bench-db";
import { memberHistory, TRANSACTION_COLUMNS, type MemberTotals } from "./data/member-history";
import { createRandom } from "./data/random";
import { runIfMain } from "./run-main";

/**
 * Loads BENCH_MEMBERS members and about BENCH_TRANSACTIONS ledger rows into the bench database
 * with COPY. Secondary indexes and foreign keys are dropped for the load and rebuilt after it, as
 * any bulk load would do. Activity per member is log-normal (most members have a handful of rows,
 * a few have hundreds), spread over three years.
 */
const YEAR_MS = 365 * 86_400_000;
const TABLES = ["members", "point_balances", "point_transactions"];

async function copyInto(sql: Sql, table: string, columns: readonly string[], lines: Iterable<string>) {
  const writable = await sql.unsafe(`COPY ${table} (${columns.join(", ")}) FROM STDIN`).writable();
  async function* chunks() {
    let buffer: string[] = [];
    for (const line of lines) {
      buffer.push(line);
      if (buffer.length === 5_000) {
        yield buffer.join("\n") + "\n";
        buffer = [];
      }
    }
    if (buffer.length > 0) yield buffer.join("\n") + "\n";
  }
  await pipeline(Readable.from(chunks()), writable);
}

interface Deferred {
  indexes: string[];
  constraints: { table: string; name: string; definition: string }[];
}

async function dropSecondaryStructures(sql: Sql): Promise<Deferred> {
  const constraints = (await sql`
    SELECT conrelid::regclass::text AS table, conname AS name, pg_get_constraintdef(oid) AS definition
    FROM pg_constraint WHERE conrelid::regclass::text IN ${sql(TABLES)} AND contype IN ('f', 'u')`) as unknown as Deferred["constraints"];
  for (const c of constraints) await sql.unsafe(`ALTER TABLE ${c.table} DROP CONSTRAINT "${c.name}"`);
  const indexes = await sql<{ indexname: string; indexdef: string }[]>`
    SELECT i.indexname, i.indexdef FROM pg_indexes i
    WHERE i.schemaname = 'public' AND i.tablename IN ${sql(TABLES)}
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`;
  for (const i of indexes) await sql.unsafe(`DROP INDEX "${i.indexname}"`);
  return { indexes: indexes.map((i) => i.indexdef), constraints };
}

async function rebuild(sql: Sql, deferred: Deferred) {
  const statements = [
    ...deferred.constraints.filter((c) => c.definition.startsWith("UNIQUE")),
    ...deferred.indexes.map((definition) => ({ table: "", name: "", definition })),
  ];
  // Two builds at a time: one per core.
  const queue = [...statements];
  await Promise.all(
    [0, 1].map(async () => {
      await sql.reserve().then(async (conn) => {
        await conn`SET maintenance_work_mem = '512MB'`;
        for (let s = queue.shift(); s; s = queue.shift()) {
          await conn.unsafe(s.table ? `ALTER TABLE ${s.table} ADD CONSTRAINT "${s.name}" ${s.definition}` : s.definition);
        }
        conn.release();
      });
    }),
  );
  for (const c of deferred.constraints.filter((c) => !c.definition.startsWith("UNIQUE"))) {
    await sql.unsafe(`ALTER TABLE ${c.table} ADD CONSTRAINT "${c.name}" ${c.definition}`);
  }
}

function tierOf(spend12m: number): string {
  return spend12m >= 200_000 ? "gold" : spend12m >= 50_000 ? "silver" : "bronze";
}

export async function generateData(): Promise<{ members: number; transactions: number; seconds: number }> {
  const config = benchConfig();
  const url = benchDatabaseUrl(config);
  if (config.BENCH_REUSE === "1" && (await databaseExists(config))) {
    const sql = rawSql(url, 1);
    const meta = await sql<{ members: number; target: number; transactions: number }[]>`
      SELECT members::int AS members, target::float8 AS target, transactions::float8 AS transactions FROM bench_meta`.catch(() => []);
    // Accrual runs add rows: the newest id (one sequence, so an upper bound of the size) off the index.
    const [size] = await sql<{ rows: number }[]>`SELECT coalesce(max(id), 0)::float8 AS rows FROM point_transactions`.catch(() => []);
    const rows = size?.rows ?? 0;
    await sql.end();
    if (meta[0] && meta[0].members === config.BENCH_MEMBERS && meta[0].target === config.BENCH_TRANSACTIONS) {
      console.log(
        `data: reusing ${config.BENCH_DATABASE} (${meta[0].members} members; generated with ${meta[0].transactions} rows, ~${rows} now after earlier runs)`,
      );
      // A data set kept from an older checkout gets the migrations committed since.
      const handle = connectPostgres(url, { max: 1 });
      await migrateDatabase(handle);
      await handle.close();
      return { members: meta[0].members, transactions: rows, seconds: 0 };
    }
  }

  console.log(`data: generating ${config.BENCH_MEMBERS} members, ~${config.BENCH_TRANSACTIONS} ledger rows into ${config.BENCH_DATABASE}`);
  const started = performance.now();
  await timed("create + migrate", () => recreateDatabase(config));
  // Loaded with the triggers off (superuser; session_replication_role = replica): the ledger's chain
  // trigger would look up each row's predecessor on an index dropped for the load. The rows are
  // chained in one pass once loaded (drizzle/0015's backfill), as a migration chains an old ledger.
  const sql = postgres(url, { max: 4, onnotice: () => {}, idle_timeout: 30, connection: { session_replication_role: "replica" } });
  const deferred = await dropSecondaryStructures(sql);

  const random = createRandom(config.BENCH_SEED);
  const now = Date.now();
  const members = config.BENCH_MEMBERS;
  // Expiry rows come on top of the sampled events (~12% more rows).
  const perMember = config.BENCH_TRANSACTIONS / members / 1.12;
  const totals = new Array<MemberTotals>(members + 1);
  const createdAt = new Float64Array(members + 1);
  let lastId = 0;
  let rowCount = 0;
  function* transactionLines() {
    for (let memberId = 1; memberId <= members; memberId++) {
      const since = now - 3 * YEAR_MS * random.next();
      createdAt[memberId] = since;
      const count = Math.max(1, Math.round(random.logNormal(perMember * 0.6, 1)));
      const history = memberHistory(random, memberId, count, since, now, () => ++lastId);
      totals[memberId] = history.totals;
      rowCount += history.rows.length;
      yield* history.rows;
    }
  }
  await timed("COPY point_transactions", () => copyInto(sql, "point_transactions", TRANSACTION_COLUMNS, transactionLines()));

  function* memberLines() {
    for (let id = 1; id <= members; id++) {
      const t = totals[id]!;
      yield [id, `m${id}`, `m${id}@example.com`, `Member ${id}`, tierOf(t.spend12m), new Date(createdAt[id]!).toISOString()].join("\t");
    }
  }
  await timed("COPY members", () => copyInto(sql, "members", ["id", "external_id", "email", "name", "tier", "created_at"], memberLines()));
  function* balanceLines() {
    const at = new Date(now).toISOString();
    for (let id = 1; id <= members; id++) {
      const t = totals[id]!;
      yield [id, t.available, t.earned, t.redeemed, t.spend12m, at].join("\t");
    }
  }
  await timed("COPY point_balances", () =>
    copyInto(sql, "point_balances", ["member_id", "available_points", "total_earned", "total_redeemed", "tier_spend_12m", "updated_at"], balanceLines()),
  );
  await timed("chain the ledger", () => sql`SELECT point_transactions_chain_backfill()`);
  await timed("rebuild indexes and constraints", () => rebuild(sql, deferred));
  await sql`SELECT setval(pg_get_serial_sequence('members', 'id'), ${members})`;
  await sql`SELECT setval(pg_get_serial_sequence('point_transactions', 'id'), ${lastId})`;
  await timed("VACUUM ANALYZE", () => sql`VACUUM (ANALYZE) members, point_balances, point_transactions`);
  await sql`CREATE TABLE bench_meta (members int, target bigint, transactions bigint, generated_at timestamptz)`;
  await sql`INSERT INTO bench_meta VALUES (${members}, ${config.BENCH_TRANSACTIONS}, ${rowCount}, ${new Date(now)})`;
  const seconds = (performance.now() - started) / 1000;
  console.log(`data: ${members} members, ${rowCount} ledger rows in ${seconds.toFixed(1)} s — ${await machineFacts(sql)}`);
  await sql.end();
  return { members, transactions: rowCount, seconds };
}

runIfMain(import.meta.url, generateData);
