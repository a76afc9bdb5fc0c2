import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/test-database";
import { sequenceArbitrary } from "./commands";
import { KNOWN_FINDINGS } from "./known-findings";
import { runSequence, type RunStats } from "./runner";
import { prepareDatabase, type Fixtures } from "./system";

/** CI's budget; `npm run fuzz -- --runs N --steps M` runs longer (scripts in test/model/fuzz.mjs). */
const RUNS = Number(process.env.MODEL_RUNS ?? 40);
const STEPS = Number(process.env.MODEL_STEPS ?? 30);
const SEED = process.env.MODEL_SEED === undefined ? undefined : Number(process.env.MODEL_SEED);

describe("the ledger against its reference model", () => {
  let t: TestDatabase;
  let fixtures: Fixtures;
  beforeAll(async () => {
    t = await createTestDatabase();
    fixtures = await prepareDatabase(t.db);
  });
  afterAll(() => t.drop());

  it(`agrees on every answer and the whole state after every step (${RUNS} sequences of up to ${STEPS} steps)`, { timeout: 24 * 60 * 60_000 }, async () => {
    const stats: RunStats = { steps: 0, ops: {} };
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(sequenceArbitrary(STEPS), async (commands) => {
        await runSequence(t.db, fixtures, commands, { stats, exclude: KNOWN_FINDINGS });
      }),
      { numRuns: RUNS, ...(SEED !== undefined ? { seed: SEED } : {}), endOnFailure: process.env.MODEL_NO_SHRINK === "1" },
    );
    console.log(
      `model: ${RUNS} sequences, ${stats.steps} steps in ${((Date.now() - started) / 1000).toFixed(1)} s; ops ${JSON.stringify(stats.ops)}; skipped ${JSON.stringify(stats.skipped ?? {})}\nreached ${JSON.stringify(stats.reached ?? {}, null, 1)}`,
    );
    expect(stats.steps).toBeGreaterThan(0);
  });
});
