import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { recordEvents } from "@/lib/loyalty/accrual/record-events";
import { redeemPoints } from "@/lib/loyalty/redemption/redeem-points";
import { verifyLedger } from "@/lib/loyalty/jobs/verify-ledger";
import { createTestDatabase, type TestDatabase } from "../../support/test-database";
import { ACTOR, newMember } from "../support/ledger";

describe("verifyLedger", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  it("finds nothing on a consistent ledger and every kind of corruption otherwise", async () => {
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push((await newMember(t.db, `ver-${i}`)).id);
    await recordEvents(
      t.db,
      ids.map((_, i) => ({ type: "purchase" as const, memberExternalId: `ver-${i}`, referenceId: `ver-o-${i}`, amountCents: 10_000 })),
      ACTOR,
    );
    await redeemPoints(t.db, { memberId: ids[1]!, points: 30, referenceId: "ver-r" }, ACTOR);
    expect(await verifyLedger(t.db, { chunkSize: 2 })).toEqual({ membersChecked: 5, discrepancies: [] });

    await t.db.execute(sql`UPDATE point_balances SET available_points = available_points + 7 WHERE member_id = ${ids[0]!}`);
    await t.db.execute(sql`UPDATE point_balances SET total_redeemed = 0 WHERE member_id = ${ids[1]!}`);
    await t.db.execute(sql`UPDATE point_transactions SET remaining = 99 WHERE member_id = ${ids[2]!} AND remaining IS NOT NULL`);
    await t.db.execute(sql`DELETE FROM point_balances WHERE member_id = ${ids[3]!}`);
    const { discrepancies } = await verifyLedger(t.db, { chunkSize: 2 });
    expect(discrepancies).toEqual(
      expect.arrayContaining([
        { memberId: ids[0], externalId: "ver-0", field: "available_points", cached: 107, ledger: 100 },
        { memberId: ids[1], externalId: "ver-1", field: "total_redeemed", cached: 0, ledger: 30 },
        { memberId: ids[2], externalId: "ver-2", field: "open_lots", cached: 99, ledger: 100 },
        { memberId: ids[3], externalId: "ver-3", field: "balance_row", cached: 0, ledger: 1 },
      ]),
    );
    expect(discrepancies.some((d) => d.memberId === ids[4])).toBe(false);
  });
});
