import { readFileSync } from "node:fs";
import { rawSql } from "./bench-db";
import { benchConfig, benchDatabaseUrl } from "./config";
import { runIfMain } from "./run-main";

/**
 * Server CPU of one accrual batch (BENCHMARKS.md, tamper evidence): a pgbench-style script (its
 * :seed, :batch and :members substituted) run `n` times on one connection, and the CPU time of that
 * connection's backend process read from /proc before and after (PostgreSQL on this machine).
 * Steadier than throughput on a shared machine: other processes' load changes the wall clock, not
 * this backend's CPU. `tsx bench/chain-cpu.ts <database> <script.sql> [batches]`.
 */
export async function chainCpu(database: string, script: string, batches = 30) {
  const config = benchConfig();
  const sql = rawSql(benchDatabaseUrl(config, database), 1);
  const text = readFileSync(script, "utf8");
  const run = (seed: number) =>
    sql.unsafe(
      text
        .replace(/^\\set seed.*$/m, "")
        .replaceAll(":seed", String(seed))
        .replaceAll(":batch", String(config.BENCH_BATCH_SIZE))
        .replaceAll(":members", String(config.BENCH_MEMBERS)),
    );
  const [{ pid }] = (await sql`SELECT pg_backend_pid() AS pid`) as unknown as [{ pid: number }];
  const cpu = () => {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, ms (100 ticks/s)
  };
  const base = Math.floor(Math.random() * 1_000_000_000);
  for (let i = 0; i < 5; i++) await run(base + i); // warm-up: plans, caches
  const before = cpu();
  const started = performance.now();
  for (let i = 0; i < batches; i++) await run(base + 5 + i);
  const ms = cpu() - before;
  console.log(`${database} ${script}: ${(ms / batches).toFixed(1)} ms backend CPU a batch, ${((performance.now() - started) / batches).toFixed(1)} ms wall`);
  await sql.end();
}

runIfMain(import.meta.url, () => chainCpu(process.argv[2]!, process.argv[3]!, Number(process.argv[4] ?? 30)));
