import { accrualInProcess } from "./accrual-in-process";
import { checkpoint, machineFacts, rawSql } from "./bench-db";
import { benchConfig, benchDatabaseUrl } from "./config";
import { generateData } from "./generate-data";
import { runIfMain } from "./run-main";
import { fmt } from "./stats";

/**
 * What the webhook outbox costs the accrual batch path (recordEvents in-process, batches of
 * BENCH_BATCH_SIZE purchases): its triggers disabled (the path as it was before them), enabled with
 * no endpoint (one probe per statement), and with one enabled endpoint (every row writes an event
 * and a delivery). Interleaved, twice, on one data set, so a noisy neighbour hits every variant.
 * Nothing delivers during the run: this is the write side's cost.
 */
const TRIGGERS = ["point_transactions_webhooks", "members_webhooks"] as const;

export async function benchWebhooks() {
  const config = benchConfig();
  const { members } = await generateData();
  const url = benchDatabaseUrl(config);
  const sql = rawSql(url, 1);
  console.log(`webhooks: ${await machineFacts(sql)}`);
  const setTriggers = async (on: boolean) => {
    const tables = { point_transactions_webhooks: "point_transactions", members_webhooks: "members" };
    for (const name of TRIGGERS) await sql.unsafe(`ALTER TABLE ${tables[name]} ${on ? "ENABLE" : "DISABLE"} TRIGGER ${name}`);
  };
  const setEndpoint = async (on: boolean) => {
    await sql`DELETE FROM webhook_endpoints WHERE url = 'http://127.0.0.1:9/bench'`;
    if (on) await sql`INSERT INTO webhook_endpoints (url, secret_encrypted, created_by) VALUES ('http://127.0.0.1:9/bench', 'v1.bench', 'bench')`;
  };
  const variants = [
    { name: "outbox triggers disabled", triggers: false, endpoint: false },
    { name: "triggers, no endpoint", triggers: true, endpoint: false },
    { name: "triggers, 1 enabled endpoint", triggers: true, endpoint: true },
  ];
  const figures = new Map<string, number[]>();
  try {
    for (let round = 1; round <= 2; round++) {
      for (const v of variants) {
        await setTriggers(v.triggers);
        await setEndpoint(v.endpoint);
        await checkpoint(config.BENCH_ADMIN_URL);
        const r = await accrualInProcess(config, {
          members,
          seconds: config.BENCH_DURATION_S,
          batch: config.BENCH_BATCH_SIZE,
          concurrency: config.BENCH_CONCURRENCY,
        });
        figures.set(v.name, [...(figures.get(v.name) ?? []), r.eventsPerSecond]);
        console.log(
          `  round ${round}, ${v.name.padEnd(30)} ${fmt(r.eventsPerSecond)} events/s (batch p50 ${r.batchLatency.p50} ms, p95 ${r.batchLatency.p95} ms)`,
        );
      }
    }
  } finally {
    await setEndpoint(false);
    await setTriggers(true);
    await sql.end();
  }
  const base = Math.max(...figures.get(variants[0]!.name)!);
  for (const [name, values] of figures) {
    const best = Math.max(...values);
    console.log(`  best of 2, ${name.padEnd(30)} ${fmt(best)} events/s, ${(best / base).toFixed(2)} of triggers disabled`);
  }
}

runIfMain(import.meta.url, benchWebhooks);
