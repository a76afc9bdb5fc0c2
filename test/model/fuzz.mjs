#!/usr/bin/env node
// `npm run fuzz -- --runs N [--steps M] [--concurrent-runs K] [--seed S] [--no-shrink]`: the model-based
// runs of test/model with a larger budget than CI's (differential: 40 sequences of up to 30 steps;
// concurrent: 12 of up to 15). Without --concurrent-runs, the concurrent runs get a third of --runs.
// `npm run fuzz -- --http --runs N [--steps M] [--seed S] [--build]`: the HTTP harness instead, against a
// next start of its own (test/model/http-run.mjs; CI runs 25 sequences of it in e2e/model-http.spec.ts).
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "1000" },
    steps: { type: "string", default: "30" },
    "concurrent-runs": { type: "string" },
    "concurrent-steps": { type: "string", default: "15" },
    seed: { type: "string" },
    "no-shrink": { type: "boolean", default: false },
    http: { type: "boolean", default: false },
    build: { type: "boolean", default: false },
  },
});
const whole = (name, text) => {
  if (!/^[1-9][0-9]{0,6}$/.test(text)) {
    console.error(`--${name} must be a whole number from 1, got ${text}`);
    process.exit(2);
  }
  return text;
};
const runs = whole("runs", values.runs);
if (values.http) {
  const args = [
    "test/model/http-run.mjs",
    "--runs",
    runs,
    "--steps",
    whole("steps", values.steps),
    ...(values.seed !== undefined ? ["--seed", String(Number(values.seed))] : []),
    ...(values.build ? ["--build"] : []),
  ];
  console.log(`model-based runs over HTTP: ${runs} sequences of up to ${values.steps} requests`);
  const result = spawnSync("node", args, { stdio: "inherit", env: { ...process.env, ...(values["no-shrink"] ? { MODEL_NO_SHRINK: "1" } : {}) } });
  process.exit(result.status ?? 1);
}
const env = {
  ...process.env,
  MODEL_RUNS: runs,
  MODEL_STEPS: whole("steps", values.steps),
  MODEL_CONCURRENT_RUNS: whole("concurrent-runs", values["concurrent-runs"] ?? String(Math.max(1, Math.round(Number(runs) / 3)))),
  MODEL_CONCURRENT_STEPS: whole("concurrent-steps", values["concurrent-steps"]),
  ...(values.seed !== undefined ? { MODEL_SEED: String(Number(values.seed)) } : {}),
  ...(values["no-shrink"] ? { MODEL_NO_SHRINK: "1" } : {}),
};
console.log(
  `model-based runs: ${env.MODEL_RUNS} sequences of up to ${env.MODEL_STEPS} steps, ${env.MODEL_CONCURRENT_RUNS} concurrent of up to ${env.MODEL_CONCURRENT_STEPS}`,
);
const result = spawnSync("npx", ["vitest", "run", "test/model/differential.test.ts", "test/model/concurrency.test.ts"], { stdio: "inherit", env });
process.exit(result.status ?? 1);
