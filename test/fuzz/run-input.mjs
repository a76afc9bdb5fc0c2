#!/usr/bin/env node
// `npm run fuzz:input -- --runs N [--seed S]`: the hostile-input fuzzer with N payloads per route
// method, page and action (CI runs the test file's small default). Prints the tallies and writes
// them to test/fuzz/.output/hostile-input.json for RELIABILITY.md.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const runs = Number(option("runs") ?? 150);
if (!Number.isInteger(runs) || runs < 1) {
  console.error("--runs must be a positive whole number");
  process.exit(2);
}
const outDir = path.join(import.meta.dirname, ".output");
fs.mkdirSync(outDir, { recursive: true });
const report = path.join(outDir, "hostile-input.json");
const env = { ...process.env, FUZZ_RUNS: String(runs), FUZZ_REPORT: report };
if (option("seed")) env.FUZZ_SEED = option("seed");
const started = Date.now();
const result = spawnSync("npx", ["vitest", "run", "test/fuzz/", "--testTimeout", String(600_000)], { stdio: "inherit", env });
if (fs.existsSync(report)) {
  const data = JSON.parse(fs.readFileSync(report, "utf8"));
  Object.assign(data, {
    seconds: Math.round((Date.now() - started) / 1000),
    date: new Date().toISOString(),
    machine: `${os.cpus().length} cores, Node ${process.version}`,
  });
  fs.writeFileSync(report, JSON.stringify(data, null, 2));
  console.log(`${data.total} payloads, ${data.targets.length} targets, ${data.seconds} s; report: ${path.relative(process.cwd(), report)}`);
}
process.exit(result.status ?? 1);
