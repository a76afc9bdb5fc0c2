import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import { recordEvents } from "@/lib/loyalty/accrual/record-events";
import { adjustPoints, reverseTransaction } from "@/lib/loyalty/adjustments/adjust-points";
import { isLoyaltyError } from "@/lib/loyalty/errors";
import { expirePoints } from "@/lib/loyalty/jobs/expire-points";
import { redeemPoints } from "@/lib/loyalty/redemption/redeem-points";
import { verifyLedger } from "@/lib/loyalty/jobs/verify-ledger";
import { createTestDatabase, type TestDatabase } from "../../support/test-database";
import { invariantViolations, lotsOf, newMember } from "../support/ledger";

const START = new Date("2025-01-01T00:00:00.000Z");
const DAY = 86_400_000;

const member = fc.nat(1);
// Weighted towards the sequences that matter: spending, refunding spent points, debt and its repayment.
const op = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("purchase" as const), member, cents: fc.integer({ min: 1, max: 20_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("login" as const), member }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("refund" as const), member, pick: fc.nat(), share: fc.integer({ min: 1, max: 120 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("redeem" as const), member, points: fc.integer({ min: 1, max: 250 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("adjust" as const),
      member,
      points: fc.integer({ min: -400, max: 200 }).filter((p) => p !== 0),
      allowNegative: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("reverse" as const), member, pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("expire" as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("advance" as const), days: fc.integer({ min: 1, max: 400 }) }) },
);

/** Expected FIFO take, written independently of the rule under test. */
function expectedTake(lots: { id: number; remaining: number; expiresAt: Date }[], points: number, now: Date) {
  const eligible = lots.filter((l) => l.remaining > 0 && l.expiresAt > now).sort((a, b) => +a.expiresAt - +b.expiresAt || a.id - b.id);
  const take = new Map<number, number>();
  for (const lot of eligible) {
    if (points === 0) break;
    const n = Math.min(points, lot.remaining);
    take.set(lot.id, n);
    points -= n;
  }
  return take;
}

describe("the ledger under a random mix of operations", () => {
  let t: TestDatabase;
  let run = 0;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  it("keeps balances, totals and lots consistent, and redeems oldest lots first", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 30 }), async (ops) => {
        const r = run++;
        const members = await Promise.all([0, 1].map((i) => newMember(t.db, `p${r}-m${i}`)));
        const purchases: { member: number; ref: string }[] = [];
        const txIds: number[][] = [[], []];
        let now = START;
        let seq = 0;
        const ctx = () => ({ actor: "test:property", now });
        const tolerate = (error: unknown) => {
          if (!isLoyaltyError(error)) throw error;
        };
        for (const o of ops) {
          const ref = `p${r}-${seq++}`;
          if (o.kind === "advance") now = new Date(now.getTime() + o.days * DAY);
          else if (o.kind === "expire") await expirePoints(t.db, { now, batchSize: 2 });
          else if (o.kind === "purchase" || o.kind === "login") {
            const [out] = await recordEvents(
              t.db,
              [{ type: o.kind, memberExternalId: `p${r}-m${o.member}`, referenceId: ref, amountCents: o.kind === "purchase" ? o.cents : undefined }],
              ctx(),
            );
            expect(out!.ok).toBe(true);
            if (out!.ok && out!.result.transactionId) txIds[o.member]!.push(out!.result.transactionId);
            if (o.kind === "purchase") purchases.push({ member: o.member, ref });
          } else if (o.kind === "refund") {
            const own = purchases.filter((p) => p.member === o.member);
            if (own.length === 0) continue;
            const original = own[o.pick % own.length]!;
            const [out] = await recordEvents(
              t.db,
              [{ type: "refund", memberExternalId: `p${r}-m${o.member}`, referenceId: ref, originalReferenceId: original.ref, amountCents: o.share * 100 }],
              ctx(),
            );
            if (!out!.ok) expect(out!.error.error).toBe("refund_exceeds_purchase");
          } else if (o.kind === "redeem") {
            const member = members[o.member]!;
            const before = await lotsOf(t.db, member.id);
            const result = await redeemPoints(t.db, { memberId: member.id, points: o.points, referenceId: ref }, ctx()).catch(tolerate);
            if (result) {
              txIds[o.member]!.push(result.transactionId);
              const taken = await queryRows<{ lot_id: string; points: string }>(
                t.db,
                sql`SELECT lot_id, points FROM lot_allocations WHERE transaction_id = ${result.transactionId}`,
              );
              expect(new Map(taken.map((a) => [Number(a.lot_id), Number(a.points)]))).toEqual(expectedTake(before, o.points, now));
            }
          } else if (o.kind === "adjust") {
            const member = members[o.member]!;
            const result = await adjustPoints(
              t.db,
              { memberId: member.id, points: o.points, reason: "property", referenceId: ref, allowNegativeBalance: o.allowNegative },
              ctx(),
            ).catch(tolerate);
            if (result) txIds[o.member]!.push(result.transactionId);
          } else if (o.kind === "reverse") {
            const ids = txIds[o.member]!;
            if (ids.length === 0) continue;
            await reverseTransaction(t.db, { transactionId: ids[o.pick % ids.length]!, reason: "property" }, ctx()).catch(tolerate);
          }
        }
        // Only this run's members: a failing run must not make the shrunk counterexamples fail too.
        const ids = members.map((m) => m.id);
        expect(await invariantViolations(t.db, ids)).toEqual([]);
        expect((await verifyLedger(t.db)).discrepancies.filter((d) => ids.includes(d.memberId))).toEqual([]);
      }),
      { numRuns: 30 },
    );
  }, 120_000);
});
