import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { asc, eq } from "drizzle-orm";
import { auditLog, members, tierHistory } from "@/db/schema";
import { getMemberSummary } from "@/lib/loyalty/members/ensure-member";
import { changeProgramSettings } from "@/lib/loyalty/program/change-program-settings";
import type { Actor } from "@/lib/loyalty/access/staff-permissions";
import { recalculateTiers } from "@/lib/loyalty/jobs/recalculate-tiers";
import { getDashboard } from "@/lib/portal/dashboard-queries";
import { createTestDatabase, type TestDatabase } from "../../support/test-database";
import { daysAfter, daysBefore, insertMember, insertPurchase } from "../../ops/support/ledger-fixtures";

const NOW = new Date("2026-06-15T12:00:00Z");
const DAY = 86_400_000;
const GRACE_DAYS = 30;
const system: Actor = { kind: "system", name: "test" };

describe("tier retention in the tier job (docs/ledger.md, Tier retention and benefits)", () => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase({ poolMax: 2 });
  });
  afterEach(() => t.drop());

  const state = async (id: number) => {
    const [m] = await t.db.select({ tier: members.tier, graceEndsAt: members.tierGraceEndsAt }).from(members).where(eq(members.id, id));
    return { tier: m!.tier, graceEndsAt: m!.graceEndsAt?.toISOString() ?? null };
  };
  const moves = async () =>
    (await t.db.select().from(tierHistory).orderBy(asc(tierHistory.id))).map((h) => `${h.fromTier}->${h.toTier}@${h.changedAt.toISOString()}`);

  /**
   * A gold member whose only purchase (2,500.00, ten days before NOW) leaves the 12-month window
   * before `review`; the review at `review` finds them below and starts the grace. Returns the grace end.
   */
  async function goldMemberInGrace(review: Date): Promise<{ id: number; graceEnd: Date }> {
    await changeProgramSettings(t.db, system, { tierGraceDays: GRACE_DAYS });
    const id = await insertMember(t.db, "m");
    await insertPurchase(t.db, id, { spendCents: 250_000, occurredAt: daysBefore(NOW, 10) });
    await recalculateTiers(t.db, { now: NOW });
    expect(await state(id)).toEqual({ tier: "gold", graceEndsAt: null });
    expect(await recalculateTiers(t.db, { now: review })).toMatchObject({ upgraded: 0, downgraded: 0 });
    const graceEnd = new Date(review.getTime() + GRACE_DAYS * DAY);
    expect(await state(id)).toEqual({ tier: "gold", graceEndsAt: graceEnd.toISOString() });
    return { id, graceEnd };
  }

  const REVIEW = daysAfter(NOW, 360); // the purchase (NOW − 10 days) is out of the window by then

  it("keeps the tier at grace end − 1 ms", async () => {
    const { id, graceEnd } = await goldMemberInGrace(REVIEW);
    expect(await recalculateTiers(t.db, { now: new Date(graceEnd.getTime() - 1) })).toMatchObject({ upgraded: 0, downgraded: 0 });
    expect(await state(id)).toEqual({ tier: "gold", graceEndsAt: graceEnd.toISOString() });
    expect(await moves()).toEqual([`bronze->gold@${NOW.toISOString()}`]);
  });

  it("drops one step (gold to silver, though the spend earns bronze) at the grace end itself", async () => {
    const { id, graceEnd } = await goldMemberInGrace(REVIEW);
    expect(await recalculateTiers(t.db, { now: graceEnd })).toMatchObject({ upgraded: 0, downgraded: 1 });
    expect(await state(id)).toEqual({ tier: "silver", graceEndsAt: null });
    expect(await moves()).toEqual([`bronze->gold@${NOW.toISOString()}`, `gold->silver@${graceEnd.toISOString()}`]);
  });

  it("drops one step at grace end + 1 ms, then a new grace for silver before bronze", async () => {
    const { id, graceEnd } = await goldMemberInGrace(REVIEW);
    const after = new Date(graceEnd.getTime() + 1);
    expect(await recalculateTiers(t.db, { now: after })).toMatchObject({ downgraded: 1 });
    expect(await state(id)).toEqual({ tier: "silver", graceEndsAt: null });

    // The next review still finds the member below silver: a grace for silver starts, no second step.
    const next = daysAfter(after, 1);
    expect(await recalculateTiers(t.db, { now: next })).toMatchObject({ downgraded: 0 });
    const silverGraceEnd = new Date(next.getTime() + GRACE_DAYS * DAY);
    expect(await state(id)).toEqual({ tier: "silver", graceEndsAt: silverGraceEnd.toISOString() });
    expect(await recalculateTiers(t.db, { now: new Date(silverGraceEnd.getTime() - 1) })).toMatchObject({ downgraded: 0 });
    expect(await recalculateTiers(t.db, { now: silverGraceEnd })).toMatchObject({ downgraded: 1 });
    expect(await state(id)).toEqual({ tier: "bronze", graceEndsAt: null });
    expect((await moves()).slice(1)).toEqual([`gold->silver@${after.toISOString()}`, `silver->bronze@${silverGraceEnd.toISOString()}`]);
  });

  it("with no grace drops one step per review, never two", async () => {
    const id = await insertMember(t.db, "m");
    await insertPurchase(t.db, id, { spendCents: 250_000, occurredAt: daysBefore(NOW, 10) });
    await recalculateTiers(t.db, { now: NOW });
    expect(await recalculateTiers(t.db, { now: REVIEW })).toMatchObject({ downgraded: 1 });
    expect(await state(id)).toEqual({ tier: "silver", graceEndsAt: null });
    expect(await recalculateTiers(t.db, { now: new Date(REVIEW.getTime() + 1) })).toMatchObject({ downgraded: 1 });
    expect(await state(id)).toEqual({ tier: "bronze", graceEndsAt: null });
  });

  it("a purchase that reaches the threshold again cancels the grace at the next review, with no move", async () => {
    const { id, graceEnd } = await goldMemberInGrace(REVIEW);
    await insertPurchase(t.db, id, { spendCents: 200_000, occurredAt: daysAfter(REVIEW, 1) });
    expect(await recalculateTiers(t.db, { now: daysAfter(REVIEW, 2) })).toMatchObject({ upgraded: 0, downgraded: 0 });
    expect(await state(id)).toEqual({ tier: "gold", graceEndsAt: null });
    await recalculateTiers(t.db, { now: graceEnd });
    expect(await state(id)).toEqual({ tier: "gold", graceEndsAt: null });
    expect(await moves()).toEqual([`bronze->gold@${NOW.toISOString()}`]);
  });

  it("moves up at once, two steps, whatever the grace", async () => {
    await changeProgramSettings(t.db, system, { tierGraceDays: 365 });
    const id = await insertMember(t.db, "m");
    await insertPurchase(t.db, id, { spendCents: 200_000, occurredAt: daysBefore(NOW, 1) });
    expect(await recalculateTiers(t.db, { now: NOW })).toMatchObject({ upgraded: 1 });
    expect(await state(id)).toEqual({ tier: "gold", graceEndsAt: null });
  });

  it("keeps a running grace's end when the programme's grace changes", async () => {
    const { id, graceEnd } = await goldMemberInGrace(REVIEW);
    await changeProgramSettings(t.db, system, { tierGraceDays: 365 });
    await recalculateTiers(t.db, { now: daysAfter(REVIEW, 1) });
    expect(await state(id)).toEqual({ tier: "gold", graceEndsAt: graceEnd.toISOString() });
    await recalculateTiers(t.db, { now: graceEnd });
    expect((await state(id)).tier).toBe("silver");
  });

  it("counts only the qualification period's months of spend", async () => {
    await changeProgramSettings(t.db, system, { tierQualificationMonths: 6 });
    const id = await insertMember(t.db, "m");
    await insertPurchase(t.db, id, { spendCents: 60_000, occurredAt: daysBefore(NOW, 200) });
    await recalculateTiers(t.db, { now: NOW });
    expect(await state(id)).toEqual({ tier: "bronze", graceEndsAt: null });
    await changeProgramSettings(t.db, system, { tierQualificationMonths: 12 });
    await recalculateTiers(t.db, { now: NOW });
    expect((await state(id)).tier).toBe("silver");
  });

  it("the summary gives the retention date and the spend still counting at it", async () => {
    await changeProgramSettings(t.db, system, { tierGraceDays: GRACE_DAYS });
    const id = await insertMember(t.db, "m");
    await insertPurchase(t.db, id, { spendCents: 250_000, occurredAt: daysBefore(NOW, 10) });
    await recalculateTiers(t.db, { now: NOW });
    // At REVIEW: 1,300.00 in the window, below gold's 2,000.00. Of it, 300.00 (bought 350 days
    // before REVIEW) leaves the window before the grace ends; the 1,000.00 bought yesterday stays.
    await insertPurchase(t.db, id, { spendCents: 30_000, occurredAt: daysBefore(REVIEW, 350) });
    await insertPurchase(t.db, id, { spendCents: 100_000, occurredAt: daysBefore(REVIEW, 1) });
    await recalculateTiers(t.db, { now: REVIEW });
    const graceEnd = new Date(REVIEW.getTime() + GRACE_DAYS * DAY);
    const summary = await getMemberSummary(t.db, "m", REVIEW);
    expect(summary.tier).toBe("gold");
    expect(summary.tierSpend12m).toBe(130_000);
    expect(summary.tierRetention).toEqual({ retainUntil: graceEnd, spendNeeded: 100_000, nextTier: null, spendToNextTier: 0 });
    // The portal's tier card reads the same figures.
    expect((await getDashboard(t.db, id, REVIEW))!.standing.tierRetention).toEqual(summary.tierRetention);

    // Spending it keeps gold at the review at the grace end.
    await insertPurchase(t.db, id, { spendCents: 100_000, occurredAt: daysAfter(REVIEW, 2) });
    expect((await getMemberSummary(t.db, "m", daysAfter(REVIEW, 2))).tierRetention.spendNeeded).toBe(0);
    await recalculateTiers(t.db, { now: graceEnd });
    expect(await state(id)).toEqual({ tier: "gold", graceEndsAt: null });
    expect((await getMemberSummary(t.db, "m", graceEnd)).tierRetention).toEqual({ retainUntil: null, spendNeeded: 0, nextTier: null, spendToNextTier: 0 });
  });

  it("validates and audits the retention settings and the tier benefits", async () => {
    const marketing: Actor = { kind: "user", id: "u-1", roles: ["marketing"] };
    for (const bad of [
      { tierGraceDays: 366 },
      { tierGraceDays: -1 },
      { tierQualificationMonths: 0 },
      { tierQualificationMonths: 25 },
      { tiers: [{ code: "gold", earnMultiplier: 0.5 }] },
      { tiers: [{ code: "gold", earnMultiplier: 1.255 }] },
      { tiers: [{ code: "gold", benefits: Array.from({ length: 11 }, (_, i) => `b${i}`) }] },
      { tiers: [{ code: "gold", benefits: ["x".repeat(201)] }] },
      { tiers: [{ code: "platinum", benefits: [] }] },
    ]) {
      await expect(changeProgramSettings(t.db, marketing, bad)).rejects.toMatchObject({ code: "validation_failed" });
    }
    await expect(changeProgramSettings(t.db, { kind: "user", id: "u-2", roles: ["support"] }, { tierGraceDays: 1 })).rejects.toMatchObject({
      code: "forbidden",
    });
    expect(await t.db.$count(auditLog)).toBe(0);

    const saved = await changeProgramSettings(
      t.db,
      marketing,
      { tierGraceDays: 45, tiers: [{ code: "gold", earnMultiplier: 1.5, benefits: ["Free shipping", "Early access to sales"] }] },
      "retention launch",
    );
    expect(saved).toMatchObject({ tierGraceDays: 45, tierQualificationMonths: 12 });
    expect(saved.tiers.find((x) => x.code === "gold")).toMatchObject({ earnMultiplier: 1.5, benefits: ["Free shipping", "Early access to sales"] });
    const [entry] = await t.db.select().from(auditLog).where(eq(auditLog.action, "program.update"));
    expect(entry).toMatchObject({ reason: "retention launch" });
    expect(entry!.before).toMatchObject({
      tierGraceDays: 0,
      tiers: expect.arrayContaining([expect.objectContaining({ code: "gold", earnMultiplier: 1, benefits: [] })]),
    });
    expect(entry!.after).toMatchObject({ tierGraceDays: 45, tiers: expect.arrayContaining([expect.objectContaining({ code: "gold", earnMultiplier: 1.5 })]) });

    const id = await insertMember(t.db, "m");
    await t.db.update(members).set({ tier: "gold" }).where(eq(members.id, id));
    expect(await getMemberSummary(t.db, "m", NOW)).toMatchObject({ tierEarnMultiplier: 1.5, tierBenefits: ["Free shipping", "Early access to sales"] });
  });
});
