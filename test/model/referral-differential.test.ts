import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import { members, referrals } from "@/db/schema";
import { recordEvent } from "@/lib/loyalty/accrual/record-events";
import { ensureMember } from "@/lib/loyalty/members/ensure-member";
import { changeProgramSettings } from "@/lib/loyalty/program/change-program-settings";
import { redeemPoints } from "@/lib/loyalty/redemption/redeem-points";
import { createMemberWithReferral, getReferralLink } from "@/lib/loyalty/referrals/referral-codes";
import { verifyLedger } from "@/lib/loyalty/jobs/verify-ledger";
import { createTestDatabase, type TestDatabase } from "../support/test-database";
import { addReferrer, newRefModel, purchase, redeem, refund, signUp, type RefModel } from "./referral-model";

/**
 * Random sequences of sign-ups with codes, purchases (with and without a code), full refunds,
 * redemptions and reviews, on a clock that moves by days, into PostgreSQL and the referral model
 * (referral-model.ts, from docs/ledger.md): every referral record (status, reason, points, what the
 * reversals took) and every referrer's balance must agree.
 */
const RUNS = Number(process.env.MODEL_REFERRAL_RUNS ?? 20);
const START = Date.parse("2026-06-15T12:00:00.000Z");
const DAY = 24 * 60 * 60 * 1000;
const SETTINGS = { referrerRewardPoints: 300, refereeRewardPoints: 200, windowDays: 30, monthlyLimit: 2 };
const system = { kind: "system", name: "model" } as const;

const referrerIdx = fc.constantFrom(0, 0, 1);
const refereeIdx = fc.integer({ min: 0, max: 4 });
// Weighted so that a referrer often reaches the monthly limit and spends its reward before a refund.
const op = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("signup" as const),
      referee: refereeIdx,
      referrer: referrerIdx,
      sameEmail: fc.constantFrom(false, false, false, true),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant("purchase" as const), member: refereeIdx, units: fc.integer({ min: 1, max: 30 }), code: fc.option(referrerIdx) }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("refund" as const), member: refereeIdx }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("redeem" as const), referrer: referrerIdx, points: fc.constantFrom(50, 250, 400) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("review" as const), member: refereeIdx }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("wait" as const), days: fc.constantFrom(1, 10, 29, 31) }) },
);

describe("referrals: PostgreSQL against the model", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    await changeProgramSettings(t.db, system, {
      referrerRewardPoints: SETTINGS.referrerRewardPoints,
      refereeRewardPoints: SETTINGS.refereeRewardPoints,
      referralRefundWindowDays: SETTINGS.windowDays,
      referralMonthlyLimit: SETTINGS.monthlyLimit,
    });
  });
  afterAll(async () => {
    expect((await verifyLedger(t.db)).discrepancies).toEqual([]);
    await t.drop();
  });

  it(`agrees on ${RUNS} random sequences`, async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 30 }), async (ops) => {
        const ns = `m${++run}-`;
        const model: RefModel = newRefModel(SETTINGS);
        const referrers = [`${ns}r0`, `${ns}r1`];
        const codes: string[] = [];
        for (const r of referrers) {
          await ensureMember(t.db, { externalId: r, email: `${r}@example.com` });
          addReferrer(model, r, `${r}@example.com`);
          codes.push((await getReferralLink(t.db, r, "http://x")).code);
        }
        const referee = (i: number) => `${ns}f${i}`;
        const purchases = new Map<string, { ref: string; points: number }[]>();
        let now = START;
        let n = 0;
        const ctx = () => ({ actor: "model", now: new Date(now) });
        for (const o of ops) {
          if (o.kind === "wait") now += o.days * DAY;
          else if (o.kind === "signup") {
            const email = o.sameEmail ? `${referrers[o.referrer]}@EXAMPLE.com` : `${referee(o.referee)}@example.com`;
            const known = model.members.get(referee(o.referee));
            await createMemberWithReferral(t.db, { externalId: referee(o.referee), email, referralCode: codes[o.referrer] }, new Date(now));
            signUp(model, referee(o.referee), known ? known.email : email, referrers[o.referrer]!);
          } else if (o.kind === "purchase") {
            const who = referee(o.member);
            if (!model.members.has(who)) {
              await ensureMember(t.db, { externalId: who });
              model.members.set(who, { email: null, rows: 0, balance: 0, purchases: [] });
            }
            const ref = `${ns}p${++n}`;
            const code = o.code === null ? undefined : codes[o.code];
            await recordEvent(
              t.db,
              {
                type: "purchase",
                memberExternalId: who,
                referenceId: ref,
                amountCents: o.units * 100,
                occurredAt: new Date(now).toISOString(),
                ...(code ? { referralCode: code } : {}),
              },
              ctx(),
            );
            purchase(model, who, ref, o.units, now, o.code === null ? undefined : referrers[o.code]);
            purchases.set(who, [...(purchases.get(who) ?? []), { ref, points: o.units }]);
          } else if (o.kind === "refund") {
            const who = referee(o.member);
            const first = purchases.get(who)?.[0];
            const m = model.members.get(who);
            if (!first || !m || m.purchases[0]?.refunded) continue;
            await recordEvent(
              t.db,
              {
                type: "refund",
                memberExternalId: who,
                referenceId: `${ns}x${++n}`,
                originalReferenceId: first.ref,
                amountCents: first.points * 100,
                occurredAt: new Date(now).toISOString(),
              },
              ctx(),
            );
            refund(model, who, first.ref, first.points, now);
          } else if (o.kind === "redeem") {
            const who = referrers[o.referrer]!;
            if (redeem(model, who, o.points)) await redeemPoints(t.db, { memberExternalId: who, points: o.points, referenceId: `${ns}d${++n}` }, ctx());
          } else {
            const who = referee(o.member);
            if (!model.members.has(who)) continue;
            await recordEvent(t.db, { type: "review", memberExternalId: who, referenceId: `${ns}v${++n}`, occurredAt: new Date(now).toISOString() }, ctx());
            const m = model.members.get(who)!;
            m.rows += 1;
            m.balance += 50;
          }
        }
        // Every record as the system has it, against the model's.
        const rows = await t.db
          .select({ r: referrals, referee: members.externalId })
          .from(referrals)
          .innerJoin(members, eq(members.id, referrals.refereeMemberId))
          .where(sql`${members.externalId} LIKE ${`${ns}%`}`);
        const system = Object.fromEntries(
          rows.map(({ r, referee: id }) => [
            id,
            {
              status: r.status,
              reason: r.refusalReason,
              referrerPoints: r.referrerPoints,
              refereePoints: r.refereePoints,
              referrerPointsReversed: r.referrerPointsReversed,
              refereePointsReversed: r.refereePointsReversed,
            },
          ]),
        );
        const expected = Object.fromEntries(
          [...model.records].map(([id, r]) => [
            id,
            {
              status: r.status,
              reason: r.reason,
              referrerPoints: r.referrerPoints,
              refereePoints: r.refereePoints,
              referrerPointsReversed: r.referrerPointsReversed,
              refereePointsReversed: r.refereePointsReversed,
            },
          ]),
        );
        expect(system).toEqual(expected);
        for (const r of referrers) {
          const [b] = await queryRows<{ p: string }>(
            t.db,
            sql`SELECT b.available_points AS p FROM point_balances b JOIN members m ON m.id = b.member_id WHERE m.external_id = ${r}`,
          );
          expect({ r, balance: Number(b!.p) }).toEqual({ r, balance: model.members.get(r)!.balance });
        }
      }),
      { numRuns: RUNS },
    );
  }, 240_000);
});
