#!/usr/bin/env node
// `npm test`: every suite (Vitest unit + integration, Playwright end-to-end, then the short chaos run:
// faults injected under load, its checks counted as tests), each run to the end even when the one
// before failed, then one closing line that sums them: "N passed, M failed".
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-tests-"));
const only = process.argv[2]; // "unit", "e2e" or "chaos" to run one suite
const suites = [];

function run(name, command, args, env, readCounts) {
  console.log(`\n=== ${name}: ${command} ${args.join(" ")}`);
  const result = spawnSync(command, args, { stdio: "inherit", env: { ...process.env, ...env } });
  let counts;
  try {
    counts = readCounts();
  } catch {
    counts = undefined;
  }
  // A suite that crashed before reporting counts as one failure, never as silence.
  if (!counts) counts = { passed: 0, failed: 1 };
  else if (result.status !== 0 && counts.failed === 0) counts.failed = 1;
  suites.push({ name, ...counts });
  console.log(`=== ${name}: ${counts.passed} passed, ${counts.failed} failed`);
}

if (!only || only === "unit") {
  const file = path.join(outDir, "vitest.json");
  run("vitest", "npx", ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${file}`], {}, () => {
    const report = JSON.parse(fs.readFileSync(file, "utf8"));
    return { passed: report.numPassedTests, failed: report.numFailedTests + (report.numRuntimeErrorTestSuites ?? 0) };
  });
}

if (!only || only === "e2e") {
  const file = path.join(outDir, "playwright.json");
  run("playwright", "npx", ["playwright", "test", "--reporter=list,json"], { PLAYWRIGHT_JSON_OUTPUT_NAME: file }, () => {
    const { stats } = JSON.parse(fs.readFileSync(file, "utf8"));
    return { passed: stats.expected + stats.flaky, failed: stats.unexpected };
  });
}

if (!only || only === "chaos") {
  const file = path.join(outDir, "chaos.json");
  run("chaos", "npm", ["run", "chaos", "--", "--short"], { CHAOS_JSON_OUTPUT: file }, () => {
    const { passed, failed } = JSON.parse(fs.readFileSync(file, "utf8"));
    return { passed, failed };
  });
}

const passed = suites.reduce((n, s) => n + s.passed, 0);
const failed = suites.reduce((n, s) => n + s.failed, 0);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
