import os from "node:os";
import { accrualInProcess } from "./accrual-in-process";
import { checkpoint, machineFacts, rawSql } from "./bench-db";
import { benchConfig, benchDatabaseUrl } from "./config";
import { pgbenchAccrual } from "./pgbench";
import { runIfMain } from "./run-main";

/**
 * What a schema change costs the accrual paths: pgbench (the batch's statements as SQL) and
 * recordEvents in-process, run in turn on each database named on the command line, e.g. two clones
 * of one data set, one migrated without the change and one with it, listed alternately
 * (`tsx bench/chain-cost.ts before after before after`) so that both see the same machine. The
 * databases are used as they are: nothing is generated or migrated. Sizes and durations come from
 * bench/config.ts (BENCH_MEMBERS must match the data set).
 */
export async function chainCost(databases: readonly string[]) {
  const base = benchConfig();
  for (const database of databases) {
    const config = { ...base, BENCH_DATABASE: database };
    const sql = rawSql(benchDatabaseUrl(config), 1);
    const [size] = await sql<{ rows: number }[]>`SELECT count(*)::float8 AS rows FROM point_transactions`;
    console.log(
      `${database}: ${size!.rows} ledger rows, load ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")}; ${await machineFacts(sql)}`,
    );
    await sql.end();
    const options = { members: config.BENCH_MEMBERS, batch: config.BENCH_BATCH_SIZE, seconds: config.BENCH_DURATION_S };
    await checkpoint(config.BENCH_ADMIN_URL);
    const direct = await pgbenchAccrual(config, { ...options, clients: config.BENCH_CONCURRENCY });
    console.log(`  ${database} pgbench: ${Math.round(direct.eventsPerSecond)} events/s (${direct.latencyMs.toFixed(0)} ms a batch)`);
    await checkpoint(config.BENCH_ADMIN_URL);
    const inProcess = await accrualInProcess(config, { ...options, concurrency: config.BENCH_CONCURRENCY });
    console.log(
      `  ${database} recordEvents in-process: ${Math.round(inProcess.eventsPerSecond)} events/s` +
        ` (batch p50 ${inProcess.batchLatency.p50} ms, p95 ${inProcess.batchLatency.p95} ms)`,
    );
  }
}

runIfMain(import.meta.url, () => chainCost(process.argv.slice(2)));
