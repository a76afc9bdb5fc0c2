import { spawn } from "node:child_process";
import path from "node:path";
import type { BenchConfig } from "./config";

/**
 * Runs bench/pgbench/accrual-batch.sql against the bench database and returns events/s
 * (transactions/s × batch size). Connection settings come from BENCH_ADMIN_URL.
 */
export async function pgbenchAccrual(
  config: BenchConfig,
  options: { members: number; batch: number; clients: number; seconds: number },
): Promise<{ tps: number; eventsPerSecond: number; latencyMs: number }> {
  const url = new URL(config.BENCH_ADMIN_URL);
  const args = [
    "-h",
    url.hostname,
    "-p",
    url.port || "5432",
    "-U",
    decodeURIComponent(url.username || "postgres"),
    "-n",
    "-c",
    String(options.clients),
    "-j",
    String(Math.min(options.clients, 2)),
    "-T",
    String(Math.round(options.seconds)),
    "-D",
    `batch=${options.batch}`,
    "-D",
    `members=${options.members}`,
    "-f",
    path.join(import.meta.dirname, "pgbench/accrual-batch.sql"),
    config.BENCH_DATABASE,
  ];
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn("pgbench", args, { env: { ...process.env, PGPASSWORD: decodeURIComponent(url.password) } });
    let text = "";
    child.stdout.on("data", (c: Buffer) => (text += c.toString()));
    child.stderr.on("data", (c: Buffer) => (text += c.toString()));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(text) : reject(new Error(`pgbench exited ${code}:\n${text}`))));
  });
  const tps = Number(/tps = ([0-9.]+)/.exec(output)?.[1] ?? NaN);
  const latencyMs = Number(/latency average = ([0-9.]+) ms/.exec(output)?.[1] ?? NaN);
  return { tps, eventsPerSecond: tps * options.batch, latencyMs };
}
