import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { recordEvents } from "@/lib/loyalty/accrual/record-events";
import { isLoyaltyError } from "@/lib/loyalty/errors";
import { eraseMember } from "@/lib/loyalty/members/erase-member";
import { ensureMember } from "@/lib/loyalty/members/ensure-member";
import { redeemPoints } from "@/lib/loyalty/redemption/redeem-points";
import { erasedIdDigest } from "@/lib/privacy/erased-id-digest";
import { createTestDatabase, type TestDatabase } from "../support/test-database";
import * as erasure from "./erasure-model";
import { recordEvent, redeem } from "./ledger-model";
import { initialState, MIGRATION_DEFAULTS, type ModelState } from "./model-state";

/**
 * Erasure against the reference model (erasure-model.ts): random sequences of purchases, replays,
 * redemptions, erasures and re-creations of two external ids, through the real services and the
 * model; every answer compared, then each member's balance and totals (the erased ones by the id
 * the erasure answered) and the liability. Fails on a system that books an event of the old
 * external id to the erased member, or whose erasure moves a balance.
 */
const RUNS = Number(process.env.MODEL_ERASURE_RUNS ?? 15);
const NOW = new Date("2026-06-15T12:00:00.000Z");
const ACTOR = { actor: "test:model", now: NOW };

type Step =
  | { kind: "purchase"; member: number; ref: number; amountCents: number }
  | { kind: "redeem"; member: number; ref: number; points: number }
  | { kind: "erase"; member: number }
  | { kind: "ensure"; member: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant("purchase" as const), member: fc.nat(1), ref: fc.nat(5), amountCents: fc.constantFrom(1_000, 2_500) }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("redeem" as const), member: fc.nat(1), ref: fc.nat(3), points: fc.constantFrom(5, 30) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("erase" as const), member: fc.nat(1) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("ensure" as const), member: fc.nat(1) }) },
);

type Said = { ok: true; [k: string]: unknown } | { ok: false; code: string };

async function system(db: Db, step: Step, name: string, ns: string, tombIds: Map<string, number>, tomb: () => string): Promise<Said> {
  const code = (e: unknown): Said => {
    if (!isLoyaltyError(e)) throw e;
    return { ok: false, code: e.code };
  };
  switch (step.kind) {
    case "purchase": {
      const [o] = await recordEvents(
        db,
        [{ type: "purchase", memberExternalId: name, referenceId: `${ns}p${step.ref}`, amountCents: step.amountCents }],
        ACTOR,
      );
      return o!.ok ? { ok: true, points: o!.result.points, duplicate: o!.result.duplicate } : { ok: false, code: o!.error.error };
    }
    case "redeem":
      return redeemPoints(db, { memberExternalId: name, referenceId: `${ns}r${step.ref}`, points: step.points }, ACTOR).then(
        (r): Said => ({ ok: true, available: r.availablePoints, duplicate: r.duplicate }),
        code,
      );
    case "erase":
      return eraseMember(db, { kind: "system", name: "model" }, { externalId: name, reason: "model: data request" }, { digest: erasedIdDigest, now: NOW }).then(
        (r): Said => {
          if (!r.alreadyErased) tombIds.set(tomb(), r.memberId);
          return { ok: true, alreadyErased: r.alreadyErased };
        },
        code,
      );
    case "ensure":
      return { ok: true, created: (await ensureMember(db, { externalId: name })).created };
  }
}

function model(state: ModelState, erased: erasure.ErasureModel, step: Step, name: string, ns: string): Said {
  switch (step.kind) {
    case "purchase": {
      const a = recordEvent(state, { type: "purchase", member: name, ref: `${ns}p${step.ref}`, amountCents: step.amountCents });
      return a.ok ? { ok: true, points: a.points, duplicate: a.duplicate } : { ok: false, code: a.code };
    }
    case "redeem": {
      const a = redeem(state, { member: name, ref: `${ns}r${step.ref}`, points: step.points });
      return a.ok ? { ok: true, available: a.available, duplicate: a.duplicate } : { ok: false, code: a.code };
    }
    case "erase": {
      const a = erasure.eraseMember(state, erased, name);
      return a.ok ? { ok: true, alreadyErased: a.alreadyErased } : { ok: false, code: a.code };
    }
    case "ensure":
      return { ok: true, created: erasure.ensureMember(state, name).created };
  }
}

describe("erasure: the reference model and the system agree", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  it(`answers, balances and liability agree (${RUNS} random sequences)`, { timeout: 300_000 }, async () => {
    let run = 0;
    const reached = { erased: 0, refusedAfterErasure: 0, reused: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 3, maxLength: 14 }), async (steps) => {
        const ns = `me${process.pid}-${run++}-`;
        const names = [`${ns}a`, `${ns}b`];
        for (const n of names) await ensureMember(t.db, { externalId: n });
        const state = initialState({ ...MIGRATION_DEFAULTS, campaigns: [], rewards: [] }, NOW.getTime(), names, ns);
        const erased = erasure.newErasureModel();
        const tombIds = new Map<string, number>();
        for (const [i, step] of steps.entries()) {
          const name = names[step.member]!;
          const expected = model(state, erased, step, name, ns);
          const got = await system(t.db, step, name, ns, tombIds, () => erasure.tombstoneKey(erased.count));
          expect(got, `step ${i} ${JSON.stringify(step)}`).toEqual(expected);
          if (step.kind === "erase" && expected.ok && !expected.alreadyErased) reached.erased++;
          if (step.kind !== "erase" && !expected.ok && expected.code === "member_not_found") reached.refusedAfterErasure++;
          if (step.kind === "ensure" && expected.ok && expected.created) reached.reused++;
        }
        // Balances and totals of every member, live by external id, erased by the id their erasure answered.
        const rows = await queryRows<{ id: number; external_id: string; erased: boolean; balance: number; earned: number; redeemed: number }>(
          t.db,
          sql`SELECT m.id::int, m.external_id, m.erased_at IS NOT NULL AS erased, b.available_points::int AS balance, b.total_earned::int AS earned,
                     b.total_redeemed::int AS redeemed
              FROM members m JOIN point_balances b ON b.member_id = m.id
              WHERE m.external_id = ANY(${`{${names.join(",")}}`}::text[]) OR m.id = ANY(${`{${[...tombIds.values(), 0].join(",")}}`}::bigint[])`,
        );
        const byId = new Map(rows.map((r) => [r.id, r]));
        for (const [key, m] of state.members) {
          const row = key.startsWith("erased#") ? byId.get(tombIds.get(key)!) : rows.find((r) => r.external_id === key && !r.erased);
          expect(row, key).toBeDefined();
          expect({ balance: row!.balance, earned: row!.earned, redeemed: row!.redeemed, erased: row!.erased }, key).toEqual({
            balance: m.balance,
            earned: m.totalEarned,
            redeemed: m.totalRedeemed,
            erased: key.startsWith("erased#"),
          });
        }
        expect(rows.reduce((s, r) => s + r.balance, 0)).toBe(erasure.liability(state));
        expect(rows).toHaveLength(state.members.size);
      }),
      { numRuns: RUNS },
    );
    // The runs must have reached what they are about.
    expect(reached.erased).toBeGreaterThan(3);
    expect(reached.refusedAfterErasure).toBeGreaterThan(3);
    expect(reached.reused).toBeGreaterThan(1);
  });
});
