import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import { recordEvents } from "@/lib/loyalty/accrual/record-events";
import type { LoyaltyEvent } from "@/lib/loyalty/accrual/event-input";
import { ensureMember } from "@/lib/loyalty/members/ensure-member";
import { recalculateTiers } from "@/lib/loyalty/jobs/recalculate-tiers";
import { verifyLedger } from "@/lib/loyalty/jobs/verify-ledger";
import { createTestDatabase, type TestDatabase } from "../../support/test-database";

const MEMBERS = 60;

describe("recalculateTiers alongside live accrual", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase({ poolMax: 6 });
  });
  afterAll(() => t.drop());

  it("never deadlocks with concurrent purchase batches and ends with every member's exact spend", { timeout: 120_000 }, async () => {
    const ids: string[] = [];
    for (let i = 0; i < MEMBERS; i++) {
      ids.push(`c-${i}`);
      await ensureMember(t.db, { externalId: `c-${i}` });
    }
    const now = new Date();
    const purchases = (round: number): LoyaltyEvent[] =>
      // Reversed and interleaved member order: the services, not the callers, must order the locks.
      [...ids].reverse().map((memberExternalId, i) => ({
        type: "purchase",
        memberExternalId,
        referenceId: `r${round}-${i}`,
        amountCents: 20_000 + ((i * 7919) % 50_000),
        occurredAt: new Date(now.getTime() - (round + 1) * 60_000).toISOString(),
      }));
    await recordEvents(t.db, purchases(0), { actor: "test", now });

    const accrual = t.connect(4);
    const jobs = t.connect(2);
    const results = await Promise.all([
      ...[1, 2, 3, 4].map((round) => recordEvents(accrual.db, purchases(round), { actor: "test", now })),
      recalculateTiers(jobs.db, { now, batchSize: 7 }),
      recalculateTiers(jobs.db, { now, batchSize: 11 }),
    ]);
    for (const outcomes of results.slice(0, 4) as Awaited<ReturnType<typeof recordEvents>>[]) {
      expect(outcomes.every((o) => o.ok)).toBe(true);
    }

    await recalculateTiers(t.db, { now: new Date(now.getTime() + 1000) });
    const mismatched = await queryRows<{ n: number }>(
      t.db,
      sql`SELECT count(*)::int AS n FROM point_balances b
          JOIN (SELECT member_id, sum(spend_amount) AS spend FROM point_transactions GROUP BY member_id) s USING (member_id)
          WHERE b.tier_spend_12m <> s.spend`,
    );
    expect(mismatched[0]!.n).toBe(0);
    // Each tier change recorded once, even with two recalculations racing.
    const history = await queryRows<{ n: number; members: number }>(
      t.db,
      sql`SELECT count(*)::int AS n, count(DISTINCT (member_id, to_tier))::int AS members FROM tier_history`,
    );
    expect(history[0]!.n).toBe(history[0]!.members);
    expect((await verifyLedger(t.db)).discrepancies).toEqual([]);
  });
});
