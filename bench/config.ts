import { z } from "zod";

/**
 * Knobs of the benchmarks. They are tooling, not the app, so they read their own variables here
 * (the app's configuration stays in lib/env.ts). Defaults finish in minutes on 2 cores.
 */
const benchEnvSchema = z.object({
  BENCH_ADMIN_URL: z.string().default("postgres://postgres@127.0.0.1:5432/postgres"),
  BENCH_DATABASE: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/)
    .default("loyalty_bench"),
  BENCH_MEMBERS: z.coerce.number().int().positive().default(100_000),
  BENCH_TRANSACTIONS: z.coerce.number().int().positive().default(2_000_000),
  /** Seconds each sustained throughput run lasts (the figure is 60). */
  BENCH_DURATION_S: z.coerce.number().positive().default(20),
  BENCH_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(500),
  BENCH_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
  BENCH_SEED: z.coerce.number().int().default(42),
  /** Skip regenerating when the bench database already holds data of the requested size. */
  BENCH_REUSE: z.enum(["0", "1"]).default("1"),
  BENCH_BASE_URL: z.string().default("http://localhost:3107"),
  BENCH_API_KEY: z.string().optional(),
  BENCH_RATE: z.coerce.number().int().positive().default(500),
  REDIS_URL: z.string().default("redis://127.0.0.1:6379"),
  /** work_mem of the nightly jobs' connections (a job-only setting, e.g. ALTER ROLE jobs SET work_mem). */
  BENCH_JOB_WORK_MEM: z.string().default("128MB"),
  /** Open lots the expiry job expires in its large run (10% of it in the small run); default: one per member. */
  BENCH_EXPIRE_LOTS: z.coerce.number().int().positive().optional(),
  BENCH_SKIP_TIERS: z.enum(["0", "1"]).default("0"),
});

export type BenchConfig = z.infer<typeof benchEnvSchema>;

export function benchConfig(): BenchConfig {
  return benchEnvSchema.parse(process.env);
}

export function benchDatabaseUrl(config: BenchConfig, database = config.BENCH_DATABASE): string {
  const url = new URL(config.BENCH_ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}
