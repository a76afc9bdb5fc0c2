/**
 * Long runs of the HTTP harness (test/model/http-harness.ts) against a server and database of their
 * own: `npm run fuzz -- --http --runs N` (test/model/http-run.mjs builds into .next-model, starts it
 * and sets MODEL_HTTP_URL, MODEL_HTTP_KEY, MODEL_HTTP_CRON_SECRET, MODEL_HTTP_DATABASE_URL). CI runs
 * the same harness, with a small budget, in the Playwright suite (e2e/model-http.spec.ts), against
 * the server Playwright builds anyway; without those variables this file is skipped.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectPostgres, type DbHandle } from "@/db/client";
import { runHttpModel } from "./http-harness";

const BASE = process.env.MODEL_HTTP_URL;
const KEY = process.env.MODEL_HTTP_KEY;
const CRON = process.env.MODEL_HTTP_CRON_SECRET;
const DATABASE_URL = process.env.MODEL_HTTP_DATABASE_URL;
const RUNS = Number(process.env.MODEL_HTTP_RUNS ?? 30);
const STEPS = Number(process.env.MODEL_HTTP_STEPS ?? 25);
const SEED = Number(process.env.MODEL_SEED ?? Date.now() % 2 ** 31);

describe.skipIf(!BASE || !KEY || !CRON || !DATABASE_URL)("the REST API of a running server against the reference model", () => {
  let handle: DbHandle;
  beforeAll(() => {
    handle = connectPostgres(DATABASE_URL!, { max: 2 });
  });
  afterAll(() => handle?.close());

  it(`agrees on every answer and member summary (${RUNS} sequences of up to ${STEPS} requests, seed ${SEED})`, { timeout: 24 * 60 * 60_000 }, async () => {
    console.log(`model over HTTP: seed ${SEED}`);
    const stats = await runHttpModel(
      handle.db,
      { base: BASE!, key: KEY!, cron: CRON! },
      { runs: RUNS, steps: STEPS, seed: SEED, shared: false, noShrink: process.env.MODEL_NO_SHRINK === "1" },
    );
    console.log(
      `model over HTTP: ${stats.sequences} sequences, ${stats.requests} requests (${stats.memberReads} of them member reads) in ${stats.seconds.toFixed(1)} s; ops ${JSON.stringify(stats.ops)}`,
    );
    expect(stats.requests).toBeGreaterThan(0);
  });
});
