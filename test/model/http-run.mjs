#!/usr/bin/env node
// Runs test/model/http.test.ts against a real `next start`: a database of its own (migrated), an API
// key from the CLI, the app built into .next-model (NEXT_DIST_DIR; `--build` rebuilds it) and
// started on port 3107 (MODEL_HTTP_PORT), then stopped and the database dropped.
//   node test/model/http-run.mjs [--build] [--runs N] [--steps M] [--seed S]   (npm run fuzz -- --http … calls it)
import { execFileSync, spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    build: { type: "boolean", default: false },
    runs: { type: "string", default: "30" },
    steps: { type: "string", default: "25" },
    seed: { type: "string" },
  },
});
const port = process.env.MODEL_HTTP_PORT ?? "3107";
const admin = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const database = `loyalty_model_http_${process.pid}`;
const url = new URL(admin);
url.pathname = `/${database}`;
const env = {
  ...process.env,
  NEXT_DIST_DIR: ".next-model",
  DATABASE_URL: url.toString(),
  MIGRATION_DATABASE_URL: url.toString(),
  CRON_SECRET: "model-http-cron-secret-0123456789",
  AUTH_SECRET: process.env.AUTH_SECRET ?? "model-http-auth-secret-0123456789abcdef",
  AUTH_URL: `http://localhost:${port}`,
  LOG_LEVEL: "warn",
};
delete env.REDIS_URL;

const psql = (sql) => execFileSync("psql", [admin, "-q", "-c", sql], { stdio: "inherit" });
if (values.build || !fs.existsSync(".next-model/BUILD_ID")) execFileSync("npx", ["next", "build"], { stdio: "inherit", env });
psql(`CREATE DATABASE "${database}"`);
let server;
let status = 1;
try {
  execFileSync("npm", ["run", "--silent", "db:migrate"], { stdio: "inherit", env });
  const created = execFileSync(
    "npm",
    [
      "run",
      "--silent",
      "cli",
      "--",
      "api-key",
      "create",
      "--name",
      "model-http",
      "--scopes",
      "events:write,members:read,members:write,redemptions:write,campaigns:read,program:write",
      "--rate-limit",
      "10000",
    ],
    { env },
  )
    .toString()
    .trim()
    .split("\n");
  const key = created[created.length - 1];
  server = spawn("npx", ["next", "start", "-p", port], { env, stdio: "inherit", detached: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      if ((await fetch(`http://localhost:${port}/api/health`)).ok) break;
    } catch {}
    if (Date.now() > deadline) throw new Error("next start did not answer /api/health within 120 s");
    await new Promise((r) => setTimeout(r, 500));
  }
  const result = spawnSync("npx", ["vitest", "run", "test/model/http.test.ts"], {
    stdio: "inherit",
    env: {
      ...env,
      MODEL_HTTP_URL: `http://localhost:${port}`,
      MODEL_HTTP_KEY: key,
      MODEL_HTTP_CRON_SECRET: env.CRON_SECRET,
      MODEL_HTTP_DATABASE_URL: env.DATABASE_URL,
      MODEL_HTTP_RUNS: values.runs,
      MODEL_HTTP_STEPS: values.steps,
      ...(values.seed !== undefined ? { MODEL_SEED: values.seed } : {}),
    },
  });
  status = result.status ?? 1;
} finally {
  if (server) process.kill(-server.pid, "SIGTERM");
  await new Promise((r) => setTimeout(r, 1000));
  psql(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
}
process.exit(status);
