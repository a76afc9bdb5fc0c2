import { accrualInProcess } from "./accrual-in-process";
import { accrualThroughWorkers } from "./accrual-worker";
import { batchThroughHttp } from "./bench-http";
import { startBenchServer } from "./bench-server";
import { checkpoint, machineFacts, rawSql } from "./bench-db";
import { benchConfig, benchDatabaseUrl } from "./config";
import { generateData } from "./generate-data";
import { pgbenchAccrual } from "./pgbench";
import { runIfMain } from "./run-main";
import { fmt } from "./stats";

/**
 * Accrual throughput, sustained for BENCH_DURATION_S: the same purchase batches as raw SQL by
 * pgbench, through recordEvents in-process, through the stream workers and through the batch REST
 * API (a production server started on the bench database), all against the same database in the
 * same run. The ratio to pgbench is the figure that matters.
 */
export async function benchAccrual() {
  const config = benchConfig();
  const { members } = await generateData();
  const sql = rawSql(benchDatabaseUrl(config), 1);
  console.log(`accrual: ${await machineFacts(sql)}`);
  await sql.end();
  const seconds = config.BENCH_DURATION_S;
  const batch = config.BENCH_BATCH_SIZE;
  const concurrency = config.BENCH_CONCURRENCY;
  console.log(`accrual: batches of ${batch} purchases, ${concurrency} concurrent, ${seconds} s each, ${fmt(members)} members`);

  await checkpoint(config.BENCH_ADMIN_URL);
  const direct = await pgbenchAccrual(config, { members, batch, clients: concurrency, seconds });
  console.log(
    `  pgbench (direct SQL):        ${fmt(direct.eventsPerSecond)} events/s (${direct.tps.toFixed(1)} batches/s, ${direct.latencyMs.toFixed(0)} ms avg)`,
  );

  await checkpoint(config.BENCH_ADMIN_URL);
  const inProcess = await accrualInProcess(config, { members, seconds, batch, concurrency });
  console.log(
    `  recordEvents in-process:     ${fmt(inProcess.eventsPerSecond)} events/s, ratio ${(inProcess.eventsPerSecond / direct.eventsPerSecond).toFixed(2)}` +
      ` (batch p50 ${inProcess.batchLatency.p50} ms, p95 ${inProcess.batchLatency.p95} ms)`,
  );

  await checkpoint(config.BENCH_ADMIN_URL);
  const worker = await accrualThroughWorkers(config, {
    members,
    events: Math.max(10_000, Math.round(inProcess.eventsPerSecond * seconds)),
    workers: 2,
    shards: concurrency,
    batch,
  });
  console.log(
    `  stream workers (2, ${concurrency} shards): ${fmt(worker.eventsPerSecond)} events/s, ratio ${(worker.eventsPerSecond / direct.eventsPerSecond).toFixed(2)}` +
      ` (${fmt(worker.events)} events in ${worker.seconds.toFixed(1)} s, published at ${fmt(worker.publishPerSecond)}/s)`,
  );

  const server = await startBenchServer(config);
  try {
    await batchThroughHttp(server, { members, batch, connections: concurrency, seconds: 5 }); // warm-up: JIT, pool, plans
    await checkpoint(config.BENCH_ADMIN_URL);
    const http = await batchThroughHttp(server, { members, batch, connections: concurrency, seconds });
    console.log(
      `  POST /api/v1/events/batch:   ${fmt(http.eventsPerSecond)} events/s, ratio ${(http.eventsPerSecond / direct.eventsPerSecond).toFixed(2)}` +
        ` (${fmt(http.requests)} requests of ${batch}, ${concurrency} connections, p50 ${http.p50} ms, p99 ${http.p99} ms, non-2xx ${http.non2xx})`,
    );
    return { direct, inProcess, worker, http };
  } finally {
    await server.stop();
  }
}

runIfMain(import.meta.url, benchAccrual);
