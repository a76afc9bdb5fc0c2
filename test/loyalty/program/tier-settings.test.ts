import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asc, eq } from "drizzle-orm";
import { auditLog, members, pointBalances, pointTransactions, tierHistory, tiers } from "@/db/schema";
import { listTierSettings, parseMoneyToMinor, previewTierSettings, runTierRecalculation, updateTierSettings } from "@/lib/loyalty/program/tier-settings";
import { createTestDatabase, type TestDatabase } from "../../support/test-database";
import { admin, marketing, member, support } from "../support/actors";
import { loyaltyErrorOf } from "../support/errors";

const now = new Date("2026-06-01T00:00:00Z");

/** A member whose ledger holds one purchase of `spendCents` a month ago, tier already computed. */
async function memberWithSpend(t: TestDatabase, externalId: string, spendCents: number, tier: "bronze" | "silver" | "gold") {
  const [m] = await t.db.insert(members).values({ externalId, tier }).returning();
  await t.db.insert(pointBalances).values({ memberId: m!.id, availablePoints: spendCents / 100, tierSpend12m: spendCents });
  await t.db.insert(pointTransactions).values({
    memberId: m!.id,
    type: "earn",
    amount: spendCents / 100,
    remaining: spendCents / 100,
    referenceType: "purchase",
    referenceId: `order-${externalId}`,
    spendAmount: spendCents,
    occurredAt: new Date("2026-05-01T00:00:00Z"),
    expiresAt: new Date("2027-05-01T00:00:00Z"),
  });
  return m!;
}

describe("tier settings", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    await memberWithSpend(t, "m-400", 40_000, "bronze");
    await memberWithSpend(t, "m-600", 60_000, "silver");
    await memberWithSpend(t, "m-2500", 250_000, "gold");
  });
  afterAll(() => t.drop());

  it("reads amounts in currency units without floating point", () => {
    expect(parseMoneyToMinor("500")).toBe(50_000);
    expect(parseMoneyToMinor("2,000.5")).toBe(200_050);
    expect(parseMoneyToMinor("0.07")).toBe(7);
    expect(parseMoneyToMinor("1.005")).toBeNull();
    expect(parseMoneyToMinor("-5")).toBeNull();
  });

  it("previews how many members a change would move, without saving it", async () => {
    const preview = await previewTierSettings(t.db, marketing, {
      tiers: [{ code: "silver", minSpend12m: "300", earnMultiplier: "1" }],
    });
    expect(preview.moves).toEqual([{ from: "bronze", to: "silver", members: 1 }]);
    expect(preview.upgraded).toBe(1);
    const stored = await t.db.select().from(tiers).where(eq(tiers.code, "silver"));
    expect(stored[0]!.minSpend12m).toBe(50_000);
  });

  it("refuses thresholds that do not rise, or a lowest tier above 0", async () => {
    const falling = await loyaltyErrorOf(updateTierSettings(t.db, marketing, { tiers: [{ code: "gold", minSpend12m: "400", earnMultiplier: 1 }] }));
    expect(falling.code).toBe("unprocessable");
    const lifted = await loyaltyErrorOf(updateTierSettings(t.db, marketing, { tiers: [{ code: "bronze", minSpend12m: 1, earnMultiplier: 1 }] }));
    expect(lifted.code).toBe("unprocessable");
    const bonus = await loyaltyErrorOf(updateTierSettings(t.db, marketing, { tiers: [{ code: "gold", minSpend12m: "2000", earnMultiplier: "0.5" }] }));
    expect(bonus.code).toBe("validation_failed");
  });

  it("saves thresholds and bonuses (audited), then the recalculation moves members and writes history", async () => {
    await updateTierSettings(
      t.db,
      marketing,
      {
        tiers: [
          { code: "silver", minSpend12m: "300.00", earnMultiplier: "1.1" },
          { code: "gold", minSpend12m: "3000", earnMultiplier: "1.25" },
        ],
      },
      { now },
    );
    const saved = await listTierSettings(t.db, marketing);
    expect(saved.map((s) => [s.code, s.minSpend12m, s.earnMultiplier])).toEqual([
      ["bronze", 0, 1],
      ["silver", 30_000, 1.1],
      ["gold", 300_000, 1.25],
    ]);
    const [entry] = await t.db.select().from(auditLog).where(eq(auditLog.action, "tiers.update"));
    expect(entry!.before).toContainEqual({ code: "silver", minSpend12m: 50_000, earnMultiplier: 1 });

    const progress: number[] = [];
    const result = await runTierRecalculation(t.db, admin, { now, onProgress: (p) => progress.push(p.membersChecked) });
    expect(result).toMatchObject({ upgraded: 1, downgraded: 1 });
    expect(progress.length).toBeGreaterThan(0);
    const tiersNow = await t.db.select({ externalId: members.externalId, tier: members.tier }).from(members).orderBy(asc(members.id));
    expect(tiersNow).toEqual([
      { externalId: "m-400", tier: "silver" },
      { externalId: "m-600", tier: "silver" },
      { externalId: "m-2500", tier: "silver" },
    ]);
    const history = await t.db.select().from(tierHistory).orderBy(asc(tierHistory.id));
    expect(history.map((h) => [h.fromTier, h.toTier])).toEqual(
      expect.arrayContaining([
        ["bronze", "silver"],
        ["gold", "silver"],
      ]),
    );
    expect(await t.db.select().from(auditLog).where(eq(auditLog.action, "tiers.recalculate"))).toHaveLength(1);
  });

  it("refuses support and members", async () => {
    for (const actor of [support, member]) {
      expect((await loyaltyErrorOf(listTierSettings(t.db, actor))).code).toBe("forbidden");
      expect((await loyaltyErrorOf(previewTierSettings(t.db, actor, { tiers: [] }))).code).toBe("forbidden");
      expect((await loyaltyErrorOf(updateTierSettings(t.db, actor, { tiers: [] }))).code).toBe("forbidden");
      expect((await loyaltyErrorOf(runTierRecalculation(t.db, actor, { now }))).code).toBe("forbidden");
    }
  });
});
