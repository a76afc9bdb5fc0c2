import { readFileSync } from "node:fs";
import { connectPostgres } from "@/db/client";
import { recordEvents } from "@/lib/loyalty/accrual/record-events";
import { purchaseFactory } from "./accrual-in-process";
import { machineFacts, rawSql } from "./bench-db";
import { benchConfig, benchDatabaseUrl } from "./config";
import { runIfMain } from "./run-main";

/**
 * CPU time of the accrual batch path with and without the webhook outbox (BENCHMARKS.md, Webhook
 * outbox): `rounds` × `batches` batches of BENCH_BATCH_SIZE purchases through recordEvents,
 * BENCH_CONCURRENCY at a time, and the CPU they cost: this Node process (process.cpuUsage) plus
 * every backend of the pool (/proc/<pid>/stat, PostgreSQL on this machine). On a shared machine
 * another process's load changes the wall clock, not these CPU times; on a CPU-bound machine the
 * throughput ratio of two variants is the inverse ratio of their CPU per batch. The variants
 * alternate (disabled, endpoint, disabled, endpoint …). `tsx bench/webhooks-cpu.ts [batches] [rounds]`
 * on an existing data set (bench:data; BENCH_DATABASE, BENCH_MEMBERS).
 */
const BENCH_URL = "http://127.0.0.1:9/bench-cpu";

export async function webhooksCpu(batches = 40, rounds = 2) {
  const config = benchConfig();
  const url = benchDatabaseUrl(config);
  const admin = rawSql(url, 1);
  console.log(`webhooks cpu: ${await machineFacts(admin)}`);
  const setVariant = async (endpoint: boolean) => {
    await admin`DELETE FROM webhook_endpoints WHERE url = ${BENCH_URL}`;
    await admin.unsafe(`ALTER TABLE point_transactions ${endpoint ? "ENABLE" : "DISABLE"} TRIGGER point_transactions_webhooks`);
    if (endpoint) await admin`INSERT INTO webhook_endpoints (url, secret_encrypted, created_by) VALUES (${BENCH_URL}, 'v1.bench', 'bench')`;
  };
  const handle = connectPostgres(url, { max: config.BENCH_CONCURRENCY });
  const next = purchaseFactory(config.BENCH_MEMBERS, `c${Date.now().toString(36)}`);
  const run = async (count: number) => {
    let left = count;
    await Promise.all(
      Array.from({ length: config.BENCH_CONCURRENCY }, async () => {
        while (left-- > 0) await recordEvents(handle.db, Array.from({ length: config.BENCH_BATCH_SIZE }, next), { actor: "api:bench" });
      }),
    );
  };
  const backendMs = async () => {
    const pids = await admin<{ pid: number }[]>`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`;
    let ticks = 0;
    for (const { pid } of pids) {
      try {
        const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
        ticks += Number(fields[11]) + Number(fields[12]);
      } catch {
        // a backend that ended between the listing and the read
      }
    }
    return (ticks * 1000) / 100; // 100 ticks a second
  };
  const results: Record<string, number[]> = { disabled: [], endpoint: [] };
  try {
    await run(config.BENCH_CONCURRENCY * 2); // warm-up: every pool connection open, plans made
    for (let round = 1; round <= rounds; round++) {
      for (const variant of ["disabled", "endpoint"] as const) {
        await setVariant(variant === "endpoint");
        await run(config.BENCH_CONCURRENCY); // the trigger's plans, after the switch
        const pg0 = await backendMs();
        const node0 = process.cpuUsage();
        const started = performance.now();
        await run(batches);
        const wall = performance.now() - started;
        const node = process.cpuUsage(node0);
        const nodeMs = (node.user + node.system) / 1000 / batches;
        const pgMs = ((await backendMs()) - pg0) / batches;
        results[variant]!.push(nodeMs + pgMs);
        console.log(
          `  round ${round}, ${variant === "endpoint" ? "1 enabled endpoint  " : "outbox trigger off "}` +
            ` CPU a batch: node ${nodeMs.toFixed(1)} ms + PostgreSQL ${pgMs.toFixed(1)} ms = ${(nodeMs + pgMs).toFixed(1)} ms;` +
            ` ${Math.round((batches * config.BENCH_BATCH_SIZE) / (wall / 1000))} events/s wall`,
        );
      }
    }
  } finally {
    await setVariant(false);
    await admin.unsafe(`ALTER TABLE point_transactions ENABLE TRIGGER point_transactions_webhooks`);
    await handle.close();
    await admin.end();
  }
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  console.log(`  CPU ratio (off / endpoint), the expected throughput ratio when CPU-bound: ${(mean(results.disabled!) / mean(results.endpoint!)).toFixed(2)}`);
}

runIfMain(import.meta.url, () => webhooksCpu(Number(process.argv[2] ?? 40), Number(process.argv[3] ?? 2)));
