import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { asc, eq } from "drizzle-orm";
import fc from "fast-check";
import { members, pointBalances, pointTransactions, tierHistory, tiers } from "@/db/schema";
import { previewTierChange, recalculateTiers } from "@/lib/loyalty/jobs/recalculate-tiers";
import { tierForSpend, tierWindowStart } from "@/lib/loyalty/rules/tier-thresholds";
import { createTestDatabase, type TestDatabase } from "../../support/test-database";
import { daysBefore, insertMember, insertPurchase } from "../../ops/support/ledger-fixtures";

const NOW = new Date("2026-06-15T12:00:00Z");
const DEFAULTS = [
  { code: "bronze", rank: 1, minSpend12m: 0 },
  { code: "silver", rank: 2, minSpend12m: 50_000 },
  { code: "gold", rank: 3, minSpend12m: 200_000 },
] as const;

describe("tier rules", () => {
  it("picks the highest tier whose threshold the spend reaches", () => {
    expect(tierForSpend(0, DEFAULTS)).toBe("bronze");
    expect(tierForSpend(49_999, DEFAULTS)).toBe("bronze");
    expect(tierForSpend(50_000, DEFAULTS)).toBe("silver");
    expect(tierForSpend(200_000, DEFAULTS)).toBe("gold");
    expect(tierForSpend(-5, DEFAULTS)).toBe("bronze");
  });

  it("is monotonic in spend", () => {
    fc.assert(
      fc.property(fc.nat(10_000_000), fc.nat(10_000_000), (a, b) => {
        const rank = (s: number) => DEFAULTS.find((t) => t.code === tierForSpend(s, DEFAULTS))!.rank;
        return a <= b ? rank(a) <= rank(b) : rank(a) >= rank(b);
      }),
    );
  });

  it("opens the window twelve calendar months back in UTC", () => {
    expect(tierWindowStart(NOW).toISOString()).toBe("2025-06-15T12:00:00.000Z");
  });
});

describe("recalculateTiers", () => {
  // The ledger cannot be truncated (append-only trigger), so each test clones a fresh database.
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase({ poolMax: 2 });
  });
  afterEach(() => t.drop());

  const tierOf = async (id: number) => {
    const [m] = await t.db.select({ tier: members.tier }).from(members).where(eq(members.id, id));
    const [b] = await t.db.select().from(pointBalances).where(eq(pointBalances.memberId, id));
    return { tier: m!.tier, spend: b!.tierSpend12m };
  };

  it("upgrades from spend in the window and records the move", async () => {
    const small = await insertMember(t.db, "small");
    const silver = await insertMember(t.db, "silver");
    const gold = await insertMember(t.db, "gold");
    await insertPurchase(t.db, small, { spendCents: 10_000, occurredAt: daysBefore(NOW, 10) });
    await insertPurchase(t.db, silver, { spendCents: 30_000, occurredAt: daysBefore(NOW, 300) });
    await insertPurchase(t.db, silver, { spendCents: 30_000, occurredAt: daysBefore(NOW, 1) });
    await insertPurchase(t.db, gold, { spendCents: 250_000, occurredAt: daysBefore(NOW, 30) });
    // Older than the window: does not count.
    await insertPurchase(t.db, small, { spendCents: 900_000, occurredAt: daysBefore(NOW, 400) });

    const result = await recalculateTiers(t.db, { now: NOW });
    expect(result).toEqual({ membersChecked: 3, upgraded: 2, downgraded: 0 });
    expect(await tierOf(small)).toEqual({ tier: "bronze", spend: 10_000 });
    expect(await tierOf(silver)).toEqual({ tier: "silver", spend: 60_000 });
    expect(await tierOf(gold)).toEqual({ tier: "gold", spend: 250_000 });

    const history = await t.db.select().from(tierHistory).orderBy(asc(tierHistory.memberId));
    expect(history.map((h) => [h.memberId, h.fromTier, h.toTier, h.tierSpend12m])).toEqual([
      [silver, "bronze", "silver", 60_000],
      [gold, "bronze", "gold", 250_000],
    ]);
    expect(history[0]!.changedAt.toISOString()).toBe(NOW.toISOString());
  });

  it("is idempotent: a second run moves nobody and writes no history", async () => {
    const id = await insertMember(t.db, "m");
    await insertPurchase(t.db, id, { spendCents: 60_000, occurredAt: daysBefore(NOW, 5) });
    await recalculateTiers(t.db, { now: NOW });
    const again = await recalculateTiers(t.db, { now: NOW });
    expect(again).toMatchObject({ upgraded: 0, downgraded: 0 });
    expect(await t.db.$count(tierHistory)).toBe(1);
  });

  it("downgrades as purchases leave the window, down to bronze and zero spend", async () => {
    const id = await insertMember(t.db, "m");
    await insertPurchase(t.db, id, { spendCents: 150_000, occurredAt: daysBefore(NOW, 200) });
    await insertPurchase(t.db, id, { spendCents: 100_000, occurredAt: daysBefore(NOW, 20) });
    await recalculateTiers(t.db, { now: NOW });
    expect(await tierOf(id)).toEqual({ tier: "gold", spend: 250_000 });

    // 170 days later the older purchase (200 + 170 > 365 days old) has left the window.
    const later = new Date(NOW.getTime() + 170 * 86_400_000);
    expect(await recalculateTiers(t.db, { now: later })).toEqual({ membersChecked: 1, upgraded: 0, downgraded: 1 });
    expect(await tierOf(id)).toEqual({ tier: "silver", spend: 100_000 });

    // A year later nothing is left: the member is found through the non-zero cached spend alone.
    const muchLater = new Date(NOW.getTime() + 400 * 86_400_000);
    expect(await recalculateTiers(t.db, { now: muchLater })).toEqual({ membersChecked: 1, upgraded: 0, downgraded: 1 });
    expect(await tierOf(id)).toEqual({ tier: "bronze", spend: 0 });

    const history = await t.db.select().from(tierHistory).orderBy(asc(tierHistory.id));
    expect(history.map((h) => `${h.fromTier}->${h.toTier}:${h.tierSpend12m}`)).toEqual(["bronze->gold:250000", "gold->silver:100000", "silver->bronze:0"]);
  });

  it("subtracts refunds in the window", async () => {
    const id = await insertMember(t.db, "m");
    const lot = await insertPurchase(t.db, id, { spendCents: 80_000, occurredAt: daysBefore(NOW, 10) });
    await t.db.insert(pointTransactions).values({
      memberId: id,
      type: "reverse",
      amount: -400,
      referenceType: "refund",
      referenceId: "refund-1",
      spendAmount: -40_000,
      relatedTransactionId: lot,
      occurredAt: daysBefore(NOW, 2),
    });
    await recalculateTiers(t.db, { now: NOW });
    expect(await tierOf(id)).toEqual({ tier: "bronze", spend: 40_000 });
  });

  it("works through many members in small batches, touching only those concerned", async () => {
    const ids: number[] = [];
    for (let i = 0; i < 23; i++) ids.push(await insertMember(t.db, `m-${i}`));
    // Every third member spends enough for silver; member 4 was gold with no recent spend at all.
    for (let i = 0; i < ids.length; i += 3) {
      await insertPurchase(t.db, ids[i]!, { spendCents: 55_000, occurredAt: daysBefore(NOW, i + 1) });
    }
    await t.db.update(members).set({ tier: "gold" }).where(eq(members.id, ids[4]!));
    const batches: number[] = [];
    const result = await recalculateTiers(t.db, {
      now: NOW,
      batchSize: 2,
      onProgress: (p) => batches.push(p.membersChecked),
    });
    expect(result).toEqual({ membersChecked: 9, upgraded: 8, downgraded: 1 });
    expect(batches.length).toBeGreaterThanOrEqual(4);
    expect(batches.at(-1)).toBe(9);
    // One step per review (docs/ledger.md, Tier retention): gold without spend falls to silver first.
    expect((await tierOf(ids[4]!)).tier).toBe("silver");
    const silver = await t.db.$count(members, eq(members.tier, "silver"));
    expect(silver).toBe(9);
  });

  it("visits every member when zero spend itself reaches a higher tier", async () => {
    for (let i = 0; i < 5; i++) await insertMember(t.db, `m-${i}`);
    await t.db.update(tiers).set({ minSpend12m: 0 }).where(eq(tiers.code, "silver"));
    try {
      expect(await previewTierChange(t.db, {})).toMatchObject({ upgraded: 5 });
      expect(await recalculateTiers(t.db, { now: NOW, batchSize: 2 })).toEqual({
        membersChecked: 5,
        upgraded: 5,
        downgraded: 0,
      });
    } finally {
      await t.db.update(tiers).set({ minSpend12m: 50_000 }).where(eq(tiers.code, "silver"));
    }
    // Back to the default: the silver members without spend are found (non-bronze index) and decay.
    expect(await recalculateTiers(t.db, { now: NOW })).toMatchObject({ downgraded: 5 });
  });

  it("previews how many members new thresholds would move", async () => {
    const a = await insertMember(t.db, "a");
    const b = await insertMember(t.db, "b");
    const c = await insertMember(t.db, "c");
    await insertMember(t.db, "no-spend");
    await insertPurchase(t.db, a, { spendCents: 30_000, occurredAt: daysBefore(NOW, 3) });
    await insertPurchase(t.db, b, { spendCents: 60_000, occurredAt: daysBefore(NOW, 3) });
    await insertPurchase(t.db, c, { spendCents: 210_000, occurredAt: daysBefore(NOW, 3) });
    await recalculateTiers(t.db, { now: NOW });

    expect(await previewTierChange(t.db, {})).toEqual({ moves: [], upgraded: 0, downgraded: 0 });
    const preview = await previewTierChange(t.db, { silver: 25_000, gold: 300_000 });
    expect(preview.moves).toEqual([
      { from: "bronze", to: "silver", members: 1 },
      { from: "gold", to: "silver", members: 1 },
    ]);
    expect(preview).toMatchObject({ upgraded: 1, downgraded: 1 });
    // A preview changes nothing.
    expect(await t.db.$count(tierHistory)).toBe(2);
  });
});
