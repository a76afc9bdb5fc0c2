/**
 * The HTTP harness of the model-based tests (test/model/http-harness.ts) against the server this
 * suite already built and started: random sequences of REST calls (events, batches, redemptions,
 * the job routes, and after each call every member's summary), every answer compared with the
 * reference model. A fixed budget and seed, printed, so a failure can be replayed with
 * MODEL_HTTP_SEED; `npm run fuzz -- --http --runs N` runs longer against a server of its own.
 * The database is the suite's: the harness creates its own members and rewards (prefixed) and
 * changes nothing the other specs read.
 */
import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { connectPostgres } from "@/db/client";
import { runHttpModel } from "../test/model/http-harness";
import { BASE_URL, CRON_SECRET, databaseUrl, STATE_FILE } from "./support/e2e-env";
import type { E2eState } from "./support/global-setup";

const RUNS = Number(process.env.MODEL_HTTP_RUNS ?? 25);
const STEPS = Number(process.env.MODEL_HTTP_STEPS ?? 20);
const SEED = Number(process.env.MODEL_HTTP_SEED ?? 20_261_202);

test("the REST API agrees with the reference model on every answer and member summary", async () => {
  test.setTimeout(Math.max(120_000, RUNS * STEPS * 1_000));
  const { apiKey } = JSON.parse(fs.readFileSync(STATE_FILE, "utf8")) as E2eState;
  const handle = connectPostgres(databaseUrl(), { max: 2 });
  try {
    console.log(`model over HTTP: seed ${SEED} (MODEL_HTTP_SEED=${SEED} replays it), ${RUNS} sequences of up to ${STEPS} requests`);
    const stats = await runHttpModel(handle.db, { base: BASE_URL, key: apiKey, cron: CRON_SECRET }, { runs: RUNS, steps: STEPS, seed: SEED, shared: true });
    console.log(
      `model over HTTP: ${stats.sequences} sequences, ${stats.requests} requests (${stats.memberReads} member reads) in ${stats.seconds.toFixed(1)} s; ops ${JSON.stringify(stats.ops)}`,
    );
    expect(stats.sequences).toBe(RUNS);
  } finally {
    await handle.close();
  }
});
