import { Readable } from "node:stream";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { recordEvent } from "@/lib/loyalty/accrual/record-events";
import { verifyChains } from "@/lib/loyalty/jobs/verify-chains";
import { ensureMember } from "@/lib/loyalty/members/ensure-member";
import { importOpeningBalances } from "@/lib/loyalty/accrual/import-opening-balances";
import { redeemPoints } from "@/lib/loyalty/redemption/redeem-points";
import { verifyLedger } from "@/lib/loyalty/jobs/verify-ledger";
import { createTestDatabase, type TestDatabase } from "../support/test-database";
import { importFile, type ImportModelOutcome, type ImportModelState } from "./opening-balance-model";

/**
 * Random opening-balance files (repeated and reused references, bad fields, rows past expiry,
 * members owing points) imported into PostgreSQL and into the reference model: every line's outcome
 * and the whole resulting state (balances, earned totals, lots, expire rows) must agree.
 */
const RUNS = Number(process.env.MODEL_IMPORT_RUNS ?? 25);
const NOW = new Date("2026-06-15T12:00:00.000Z");
const ADMIN = { kind: "user", id: "00000000-0000-4000-8000-0000000000ad", roles: ["admin"] } as const;

// "Erased:7" is taken as it is (not namespaced): the reserved prefix of erased members' tombstones.
const MEMBERS = ["a", "b", "c", " ", "Erased:7"];
const REFS = ["r1", "r2", "r3", "r4", "r5", ""];
const POINTS = ["10", "250", "7", "0", "-3", "1.5", "1000000001"];
const EARNED = ["2025-01-15", "2026-06-01T10:00:00+02:00", "2024-02-29T23:30:00-01:00", "2026-06-15T12:04:00Z", "2026-02-30", "2027-01-01", "2025-13-01"];
const EXPIRES = ["", "", "2026-03-01", "2027-12-31", "2024-01-01", "2026-06-15T12:00:00Z", "2026-06-15T12:00:00.001Z", "2025-02-29"];

type Line = string[];
const lineArb = fc.tuple(
  fc.constantFrom(...MEMBERS),
  fc.constantFrom(...POINTS),
  fc.constantFrom(...EARNED),
  fc.constantFrom(...EXPIRES),
  fc.constantFrom(...REFS),
  fc.boolean().map((b) => b && Math.random() < 0.1),
);
const fileArb = fc.array(lineArb, { minLength: 1, maxLength: 14 });
const caseArb = fc.record({
  debts: fc.tuple(fc.constantFrom(0, 0, 40, 300), fc.constantFrom(0, 40), fc.constantFrom(0, 0, 300)),
  first: fileArb,
  second: fileArb,
  replayFirst: fc.boolean(),
});

type SystemOutcome = { line: number; kind: string; expired?: boolean; code?: string; field?: string | null };

function toLines(ns: string, file: (typeof caseArb extends fc.Arbitrary<infer C> ? C : never)["first"]): Line[] {
  return file.map(([m, p, e, x, r, extra]) => {
    const fields = [m.trim() === "" || m.startsWith("Erased:") ? m : `${ns}${m}`, p, e, x, r === "" ? r : `${ns}${r}`];
    return extra ? [...fields, "surplus"] : fields;
  });
}

async function runSystem(db: Db, lines: Line[]): Promise<SystemOutcome[]> {
  const outcomes: SystemOutcome[] = [];
  const csv = ["externalId,points,earnedAt,expiresAt,reference", ...lines.map((l) => l.join(","))].join("\n") + "\n";
  await importOpeningBalances(db, Readable.from([csv]), {
    actor: ADMIN,
    reason: "model",
    source: "model.csv",
    now: NOW,
    batchSize: 4,
    onLine: (l) =>
      outcomes.push(
        l.kind === "accepted"
          ? { line: l.line, kind: "accepted", expired: l.expired }
          : l.kind === "conflict"
            ? { line: l.line, kind: "conflict", code: l.code }
            : l.kind === "rejected"
              ? { line: l.line, kind: "rejected", field: l.field ?? null }
              : { line: l.line, kind: l.kind },
      ),
  });
  return outcomes.sort((a, b) => a.line - b.line);
}

async function systemState(db: Db, ns: string) {
  const members = await queryRows<{ external_id: string; balance: number; earned: number }>(
    db,
    sql`SELECT m.external_id, b.available_points::int AS balance, b.total_earned::int AS earned
        FROM members m JOIN point_balances b ON b.member_id = m.id WHERE m.external_id LIKE ${`${ns}%`} ORDER BY 1`,
  );
  const lots = await queryRows<{
    reference_id: string;
    external_id: string;
    amount: number;
    remaining: number;
    occurred_at: Date;
    expires_at: Date;
    expire_amount: number | null;
    expired_at: Date | null;
  }>(
    db,
    sql`SELECT t.reference_id, m.external_id, t.amount::int, t.remaining::int, t.occurred_at, t.expires_at, e.amount::int AS expire_amount, e.occurred_at AS expired_at
        FROM point_transactions t JOIN members m ON m.id = t.member_id
        LEFT JOIN point_transactions e ON e.type = 'expire' AND e.related_transaction_id = t.id
        WHERE t.reference_type = 'import' AND t.reference_id LIKE ${`${ns}%`} ORDER BY 1`,
  );
  return {
    members: members.map((m) => [m.external_id, m.balance, m.earned]),
    lots: lots.map((l) => [
      l.reference_id,
      l.external_id,
      l.amount,
      l.remaining,
      new Date(l.occurred_at).getTime(),
      new Date(l.expires_at).getTime(),
      l.expire_amount,
      l.expired_at ? new Date(l.expired_at).getTime() : null,
    ]),
  };
}

function modelView(state: ImportModelState) {
  return {
    members: [...state.members].sort(([a], [b]) => (a < b ? -1 : 1)).map(([id, m]) => [id, m.balance, m.totalEarned]),
    lots: [...state.lots]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([ref, l]) => {
        const e = state.expiries.get(ref);
        return [ref, l.member, l.amount, l.remaining, l.occurredAt, l.expiresAt, e?.amount ?? null, e?.occurredAt ?? null];
      }),
  };
}

const normalise = (o: ImportModelOutcome): SystemOutcome => ({ ...o });

describe("opening-balance import against its reference model", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    expect((await verifyLedger(t.db)).discrepancies).toEqual([]);
    expect(await verifyChains(t.db)).toEqual([]);
    await t.drop();
  });

  it(`agrees on every line's outcome and the resulting ledger (${RUNS} random pairs of files)`, { timeout: 600_000 }, async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ debts, first, second, replayFirst }) => {
        const ns = `md${process.pid}-${run++}-`;
        const model: ImportModelState = { now: NOW.getTime(), expiryMonths: 12, members: new Map(), lots: new Map(), expiries: new Map() };
        // Members a, b, c owing points before the import: purchase, redeem it all, refund it all.
        for (const [i, debt] of debts.entries()) {
          if (debt === 0) continue;
          const id = `${ns}${MEMBERS[i]}`;
          const { member } = await ensureMember(t.db, { externalId: id });
          const ctx = { actor: "test:model", now: NOW };
          await recordEvent(t.db, { type: "purchase", memberExternalId: id, referenceId: `${ns}p${i}`, amountCents: debt * 100 }, ctx);
          await redeemPoints(t.db, { memberId: member.id, points: debt, referenceId: `${ns}x${i}` }, ctx);
          await recordEvent(
            t.db,
            { type: "refund", memberExternalId: id, referenceId: `${ns}f${i}`, originalReferenceId: `${ns}p${i}`, amountCents: debt * 100 },
            ctx,
          );
          model.members.set(id, { balance: -debt, totalEarned: 0 });
        }
        const header = ["externalId", "points", "earnedAt", "expiresAt", "reference"];
        const files = [toLines(ns, first), replayFirst ? [...toLines(ns, first), ...toLines(ns, second)] : toLines(ns, second)];
        for (const lines of files) {
          const expected = importFile(model, header, lines).map(normalise);
          expect(await runSystem(t.db, lines)).toEqual(expected);
        }
        expect(await systemState(t.db, ns)).toEqual(modelView(model));
      }),
      { numRuns: RUNS },
    );
  });
});
