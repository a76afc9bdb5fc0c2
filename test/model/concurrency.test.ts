import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { createTestDatabase, type TestDatabase } from "../support/test-database";
import { concurrentSequenceArbitrary } from "./commands";
import { KNOWN_FINDINGS } from "./known-findings";
import { runSequence, type RunStats } from "./runner";
import { prepareDatabase, type Fixtures } from "./system";

/** CI's budget; `npm run fuzz -- --runs N` runs longer. */
const RUNS = Number(process.env.MODEL_CONCURRENT_RUNS ?? 12);
const STEPS = Number(process.env.MODEL_CONCURRENT_STEPS ?? 15);
const SEED = process.env.MODEL_SEED === undefined ? undefined : Number(process.env.MODEL_SEED);

describe("the ledger under concurrent commands, against its reference model", () => {
  let t: TestDatabase;
  let fixtures: Fixtures;
  let pools: Db[];
  beforeAll(async () => {
    t = await createTestDatabase();
    fixtures = await prepareDatabase(t.db);
    // One pool per concurrent client: the group's operations never share a connection.
    pools = [0, 1, 2, 3].map(() => t.connect(2).db);
  });
  afterAll(() => t.drop());

  it(
    `ends, after every group issued at once, as some serial order of it would (${RUNS} sequences of up to ${STEPS} steps)`,
    { timeout: 24 * 60 * 60_000 },
    async () => {
      const stats: RunStats = { steps: 0, ops: {} };
      const started = Date.now();
      await fc.assert(
        fc.asyncProperty(concurrentSequenceArbitrary(STEPS), async (commands) => {
          await runSequence(t.db, fixtures, commands, { stats, exclude: KNOWN_FINDINGS, parallel: pools });
        }),
        { numRuns: RUNS, ...(SEED !== undefined ? { seed: SEED } : {}), endOnFailure: process.env.MODEL_NO_SHRINK === "1" },
      );
      console.log(
        `model, concurrent: ${RUNS} sequences, ${stats.steps} steps in ${((Date.now() - started) / 1000).toFixed(1)} s; ops ${JSON.stringify(stats.ops)}; skipped ${JSON.stringify(stats.skipped ?? {})}`,
      );
      expect(stats.ops["parallel(2)"] ?? 0).toBeGreaterThan(0);
    },
  );
});
