import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/test-database";
import { expand, type Command } from "./commands";
import { DAY } from "./model-time";
import { initialState, type ModelState } from "./model-state";
import { applyToModel, type Op } from "./ops";
import { runSequence } from "./runner";
import { MEMBERS, MODEL_CONFIG, START, TIER_GRACE_DAYS } from "./scenario";
import { prepareDatabase, type Fixtures } from "./system";

/**
 * Tier retention against the model (docs/ledger.md, Tier retention and benefits): the general
 * generator rarely takes a member above bronze and then below again, so this one does little else.
 * Big purchases (some already old), refunds, tier jobs, and clock moves that land on a grace's end
 * − 1 ms, on it and just after it. The model's own run counts what the sequences reached, and the
 * test fails if they never kept a tier in grace or dropped one at a grace's end.
 */
const RUNS = Number(process.env.MODEL_TIER_RUNS ?? 30);
const GRACE = TIER_GRACE_DAYS * DAY;

const purchase = fc.record(
  {
    c: fc.constant("purchase" as const),
    m: fc.integer({ min: 0, max: 2 }),
    ref: fc.nat(30),
    cents: fc.integer({ min: 20_000, max: 210_000 }),
    back: fc.constantFrom(1, 300, 340, 355, 362),
  },
  { requiredKeys: ["c", "m", "ref", "cents"] },
);
const refund = fc.record({ c: fc.constant("refund" as const), pick: fc.nat(), ref: fc.nat(30), share: fc.integer({ min: 200, max: 1000 }) });
/** A clock move, then the tier job: most reviews land on, just before or just after a grace's end. */
const review = fc
  .constantFrom(1, DAY, GRACE - 1, GRACE - 1, GRACE, GRACE, GRACE + 1, 10 * DAY, 30 * DAY)
  .map((ms): Command[] => [{ c: "advance", ms }, { c: "tiers" }]);
const sequence: fc.Arbitrary<Command[]> = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: purchase.map((c): Command[] => [c, { c: "tiers" }]) },
      { weight: 1, arbitrary: refund.map((c): Command[] => [c]) },
      { weight: 6, arbitrary: review },
    ),
    {
      minLength: 3,
      maxLength: 20,
    },
  )
  .map((blocks) => blocks.flat());

/** What one model run of the commands reached: reviews that kept a tier in grace, and drops at or after a grace's end. */
function reached(commands: readonly Command[]) {
  const counts = { keptInGrace: 0, droppedAtGraceEnd: 0, droppedExactlyAtEnd: 0 };
  const state: ModelState = initialState(MODEL_CONFIG, START, MEMBERS);
  const sent: Op[] = [];
  for (const cmd of commands) {
    for (const step of expand(cmd, state)) {
      const op = typeof step === "function" ? step(state, sent) : step;
      const before = new Map([...state.members].map(([n, m]) => [n, { tier: m.tier, grace: m.graceEndsAt ?? null }]));
      applyToModel(state, op);
      sent.push(op);
      if (op.kind !== "tiers") continue;
      for (const [name, m] of state.members) {
        const b = before.get(name)!;
        if (b.grace === null) continue;
        if (m.tier === b.tier && m.graceEndsAt === b.grace) counts.keptInGrace++;
        else if (m.tier !== b.tier && (m.graceEndsAt ?? null) === null && state.now >= b.grace) {
          counts.droppedAtGraceEnd++;
          if (state.now === b.grace) counts.droppedExactlyAtEnd++;
        }
      }
    }
  }
  return counts;
}

describe("tier retention against the reference model", () => {
  let t: TestDatabase;
  let fixtures: Fixtures;
  beforeAll(async () => {
    t = await createTestDatabase();
    fixtures = await prepareDatabase(t.db);
  });
  afterAll(() => t.drop());

  it(`agrees on every tier job and the whole state (${RUNS} sequences), and reaches graces and their ends`, { timeout: 60 * 60_000 }, async () => {
    const total = { keptInGrace: 0, droppedAtGraceEnd: 0, droppedExactlyAtEnd: 0 };
    await fc.assert(
      fc.asyncProperty(sequence, async (commands) => {
        await runSequence(t.db, fixtures, commands);
        const counts = reached(commands);
        for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += counts[k];
      }),
      { numRuns: RUNS, ...(process.env.MODEL_SEED ? { seed: Number(process.env.MODEL_SEED) } : {}) },
    );
    console.log(`tier retention model runs: ${RUNS} sequences; reached ${JSON.stringify(total)}`);
    expect(total.keptInGrace).toBeGreaterThan(0);
    expect(total.droppedAtGraceEnd).toBeGreaterThan(0);
  });
});
