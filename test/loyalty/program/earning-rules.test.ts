import { describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import { auditLog, pointTransactions } from "@/db/schema";
import { recordEvent, recordEvents } from "@/lib/loyalty/accrual/record-events";
import { createCampaign } from "@/lib/loyalty/campaigns/change-campaigns";
import { createEarningCap, createEarningRule, retireEarningCap, retireEarningRule } from "@/lib/loyalty/program/earning-rules";
import type { LoyaltyEvent, LoyaltyEventInput } from "@/lib/loyalty/accrual/event-input";
import { previewEarn } from "@/lib/loyalty/campaigns/preview-earn";
import type { Actor } from "@/lib/loyalty/access/staff-permissions";
import { ACTOR, NOW, balanceOf, newMember, useLedgerDatabase } from "../support/ledger";

const marketing: Actor = { kind: "user", id: "mkt-1", roles: ["marketing"] };
const staff = { actor: marketing, now: NOW };
const ctx = { ...ACTOR, now: NOW };
const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs).toISOString();
const DAY = 86_400_000;

const buy = (member: string, ref: string, items: LoyaltyEventInput["items"], extra: Partial<LoyaltyEventInput> = {}): LoyaltyEvent => ({
  type: "purchase",
  memberExternalId: member,
  referenceId: ref,
  amountCents: items!.reduce((s, l) => s + l.amountCents, 0),
  items,
  ...extra,
});
const line = (sku: string, amountCents: number, category?: string) => ({ sku, amountCents, quantity: 1, ...(category ? { category } : {}) });

async function rowOf(db: Parameters<typeof balanceOf>[0], id: number) {
  const [row] = await db.select().from(pointTransactions).where(eq(pointTransactions.id, id));
  return row!;
}

describe("earning rules on order lines (issue 13)", () => {
  const t = useLedgerDatabase();

  it("rates lines by SKU over category over the programme rate; a 0 rate excludes gift cards; the row records the rules", async () => {
    await newMember(t.db, "er-1");
    const shoes = await createEarningRule(t.db, { name: "Shoes 3x", categories: ["shoes-1"], pointsPerCurrencyUnit: 3 }, staff);
    const boot = await createEarningRule(t.db, { name: "Boot 5x", skus: ["BOOT-1"], pointsPerCurrencyUnit: 5 }, staff);
    const gift = await createEarningRule(t.db, { name: "No points on gift cards", categories: ["giftcard-1"], pointsPerCurrencyUnit: 0 }, staff);
    const result = await recordEvent(
      t.db,
      buy("er-1", "er-o1", [
        line("SNEAK-1", 10_050, "shoes-1"),
        line("BOOT-1", 4_000, "shoes-1"),
        line("GC-50", 5_000, "giftcard-1"),
        line("SOCK-1", 1_299, "socks"),
      ]),
      ctx,
    );
    // shoes 100 units × 3 = 300 (100.50 floors to 100), boot 40 × 5 = 200, gift card 0, socks 12 × 1.
    expect(result).toMatchObject({ points: 512, multiplier: 1, campaignId: null, appliedRules: [shoes.id, boot.id, gift.id].sort((a, b) => a - b) });
    const row = await rowOf(t.db, result.transactionId!);
    expect(row.appliedRules!.rules).toEqual([shoes.id, boot.id, gift.id].sort((a, b) => a - b));
    expect(row.appliedRules!.lines!.map((l) => [l.sku, l.cents])).toEqual([
      ["SNEAK-1", 10_050],
      ["BOOT-1", 4_000],
      ["GC-50", 5_000],
      ["SOCK-1", 1_299],
    ]);
    // A purchase without lines earns at the programme's rate: category and SKU rules name no line of it.
    expect(await recordEvent(t.db, { type: "purchase", memberExternalId: "er-1", referenceId: "er-o2", amountCents: 10_000 }, ctx)).toMatchObject({
      points: 100,
    });
    for (const r of [shoes, boot, gift]) await retireEarningRule(t.db, r.id, { reason: "test done" }, staff);
  });

  it("gives a SKU's fixed bonus once per purchase, not multiplied; minimum spend, channel and window decide whether a rule is in force", async () => {
    await newMember(t.db, "er-2");
    const bonus = await createEarningRule(t.db, { name: "Launch bonus", skus: ["LAUNCH-2"], bonusPoints: 250 }, staff);
    const big = await createEarningRule(t.db, { name: "Big app orders", channels: ["app-2"], minSpendCents: 20_000, bonusPoints: 100 }, staff);
    const later = await createEarningRule(
      t.db,
      { name: "Next week", skus: ["LAUNCH-2"], pointsPerCurrencyUnit: 9, startsAt: at(7 * DAY), endsAt: at(14 * DAY) },
      staff,
    );
    // Web, 150.00: the launch bonus only (the app rule wants its channel and 200.00).
    expect(await recordEvent(t.db, buy("er-2", "er-o3", [line("LAUNCH-2", 15_000, "x")], { channel: "web" }), ctx)).toMatchObject({
      points: 400,
      appliedRules: [bonus.id],
    });
    // App but 150.00: still not the app rule.
    expect(await recordEvent(t.db, buy("er-2", "er-o4", [line("LAUNCH-2", 15_000)], { channel: "app-2" }), ctx)).toMatchObject({ points: 400 });
    // App, 250.00 in two lines of the SKU's quantity 3: 250 + both bonuses once.
    const both = await recordEvent(
      t.db,
      buy("er-2", "er-o5", [{ sku: "LAUNCH-2", quantity: 3, amountCents: 20_000 }, line("OTHER-2", 5_000)], { channel: "app-2" }),
      ctx,
    );
    expect(both).toMatchObject({ points: 250 + 250 + 100, appliedRules: [bonus.id, big.id] });
    // Next week the scheduled rule's rate applies to the SKU (a backdated event is judged at its occurredAt).
    const inWindow = await recordEvent(t.db, buy("er-2", "er-o6", [line("LAUNCH-2", 1_000)], { occurredAt: at(8 * DAY) }), {
      ...ctx,
      now: new Date(NOW.getTime() + 8 * DAY),
    });
    expect(inWindow).toMatchObject({ points: 90 + 250, appliedRules: [bonus.id, later.id] });
    const after = await recordEvent(t.db, buy("er-2", "er-o7", [line("LAUNCH-2", 1_000)], { occurredAt: at(15 * DAY) }), {
      ...ctx,
      now: new Date(NOW.getTime() + 15 * DAY),
    });
    expect(after).toMatchObject({ points: 10 + 250 });
    // Retired: in force for nothing from then on, even an event dated before.
    await retireEarningRule(t.db, bonus.id, { reason: "launch over" }, staff);
    expect(await recordEvent(t.db, buy("er-2", "er-o8", [line("LAUNCH-2", 1_000)]), ctx)).toMatchObject({ points: 10 });
    expect((await recordEvent(t.db, buy("er-2", "er-o8", [line("LAUNCH-2", 1_000)]), ctx)).duplicate).toBe(true);
    for (const r of [big, later]) await retireEarningRule(t.db, r.id, {}, staff);
    const audit = await t.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.targetId, String(bonus.id)));
    expect(audit.map((a) => a.action).filter((a) => a.startsWith("earning_rule."))).toEqual(["earning_rule.create", "earning_rule.retire"]);
    expect(audit.find((a) => a.action === "earning_rule.retire")).toMatchObject({ actor: "user:mkt-1", reason: "launch over" });
  });

  it("multiplies only the lines of a campaign's categories and channels, and the preview shows the same arithmetic", async () => {
    await newMember(t.db, "er-3");
    const campaign = await createCampaign(
      t.db,
      {
        name: "Double coats in the app",
        multiplier: 2,
        startsAt: NOW.toISOString(),
        endsAt: at(30 * DAY),
        eventTypes: ["purchase"],
        categories: ["coats-3"],
        channels: ["app-3"],
      },
      staff,
    );
    const event = buy("er-3", "er-o9", [line("COAT-3", 10_000, "coats-3"), line("HAT-3", 5_000, "hats-3")], { channel: "app-3" });
    const result = await recordEvent(t.db, event, ctx);
    expect(result).toMatchObject({ points: 200 + 50, multiplier: 2, campaignId: campaign.id });
    expect(await recordEvent(t.db, { ...event, referenceId: "er-o10", channel: "web" }, ctx)).toMatchObject({ points: 150, campaignId: null });
    const preview = await previewEarn(t.db, marketing, {
      eventType: "purchase",
      amountCents: 15_000,
      tier: "bronze",
      at: NOW.toISOString(),
      items: event.items,
      channel: "app-3",
    });
    expect(preview).toMatchObject({ points: 250, multiplier: 2, campaignId: campaign.id });
  });

  it("refuses lines that do not add up to the amount, naming the difference, and a SKU twice", async () => {
    await newMember(t.db, "er-4");
    const [short, twice] = await recordEvents(
      t.db,
      [
        { type: "purchase", memberExternalId: "er-4", referenceId: "er-o11", amountCents: 10_000, items: [line("A-4", 9_000)] },
        { type: "purchase", memberExternalId: "er-4", referenceId: "er-o12", amountCents: 2_000, items: [line("A-4", 1_000), line("A-4", 1_000)] },
      ],
      ctx,
    );
    expect(short).toMatchObject({ ok: false, status: 400, error: { error: "validation_failed", field: "items" } });
    expect(short!.ok || short!.error.message).toContain("difference 1000");
    expect(twice).toMatchObject({ ok: false, status: 400, error: { field: "items.1.sku" } });
    const [rows] = await queryRows<{ n: number }>(t.db, sql`SELECT count(*)::int AS n FROM point_transactions WHERE reference_id IN ('er-o11', 'er-o12')`);
    expect(rows!.n).toBe(0);
  });

  it("refunds of lines take back what those lines earned: nothing for a gift card, the shoes' share for shoes", async () => {
    const m = await newMember(t.db, "er-5");
    const gift = await createEarningRule(t.db, { name: "Gift cards 0", categories: ["gc-5"], pointsPerCurrencyUnit: 0 }, staff);
    const shoes = await createEarningRule(t.db, { name: "Shoes 2x", categories: ["shoes-5"], pointsPerCurrencyUnit: 2 }, staff);
    const p = await recordEvent(t.db, buy("er-5", "er-o13", [line("GC-5", 5_000, "gc-5"), line("SHOE-5", 10_000, "shoes-5"), line("SOCK-5", 1_000)]), ctx);
    expect(p.points).toBe(0 + 200 + 10);
    const refund = (ref: string, items: { sku: string; amountCents: number }[]): LoyaltyEvent => ({
      type: "refund",
      memberExternalId: "er-5",
      referenceId: ref,
      originalReferenceId: "er-o13",
      amountCents: items.reduce((s, i) => s + i.amountCents, 0),
      items: items.map((i) => ({ ...i, quantity: 1 })),
    });
    expect(await recordEvent(t.db, refund("er-r1", [{ sku: "GC-5", amountCents: 5_000 }]), ctx)).toMatchObject({ points: 0 });
    // Half the shoes: 100 of the 200 they earned.
    expect(await recordEvent(t.db, refund("er-r2", [{ sku: "SHOE-5", amountCents: 5_000 }]), ctx)).toMatchObject({ points: -100 });
    const [over, unknown, byAmount] = await recordEvents(
      t.db,
      [
        refund("er-r3", [{ sku: "SHOE-5", amountCents: 6_000 }]),
        refund("er-r4", [{ sku: "NOPE-5", amountCents: 100 }]),
        { type: "refund", memberExternalId: "er-5", referenceId: "er-r5", originalReferenceId: "er-o13", amountCents: 100 },
      ],
      ctx,
    );
    expect(over).toMatchObject({ ok: false, status: 422, error: { error: "refund_exceeds_purchase", field: "items.0.amountCents" } });
    expect(unknown).toMatchObject({ ok: false, status: 422, error: { error: "unprocessable", field: "items.0.sku" } });
    expect(byAmount).toMatchObject({ ok: false, status: 422, error: { error: "unprocessable", field: "items" } });
    // The rest of the lines: exactly what is left of the purchase's points.
    expect(
      await recordEvent(
        t.db,
        refund("er-r6", [
          { sku: "SHOE-5", amountCents: 5_000 },
          { sku: "SOCK-5", amountCents: 1_000 },
        ]),
        ctx,
      ),
    ).toMatchObject({ points: -110 });
    expect(await balanceOf(t.db, m.id)).toBe(0);
    // Lines named on a purchase recorded without them.
    await recordEvent(t.db, { type: "purchase", memberExternalId: "er-5", referenceId: "er-o14", amountCents: 1_000 }, ctx);
    const [noLines] = await recordEvents(t.db, [{ ...refund("er-r7", [{ sku: "X-5", amountCents: 1_000 }]), originalReferenceId: "er-o14" }], ctx);
    expect(noLines).toMatchObject({ ok: false, status: 422, error: { error: "unprocessable", field: "items" } });
    for (const r of [gift, shoes]) await retireEarningRule(t.db, r.id, {}, staff);
  });

  it("caps awards of an event type per member per week: the third review that week earns nothing, the next week's does", async () => {
    await newMember(t.db, "er-6");
    const cap = await createEarningCap(t.db, { name: "Two reviews a week", eventType: "review", maxAwardsPerMember: 2, period: "week" }, staff);
    const review = (ref: string, occurredAt: string): LoyaltyEvent => ({ type: "review", memberExternalId: "er-6", referenceId: ref, occurredAt });
    // NOW is Monday 2026-06-15 12:00 UTC; two reviews in one batch, a third the same week.
    const outcomes = await recordEvents(t.db, [review("er-v1", at(0)), review("er-v2", at(DAY)), review("er-v3", at(2 * DAY))], {
      ...ctx,
      now: new Date(NOW.getTime() + 3 * DAY),
    });
    expect(outcomes.map((o) => o.ok && o.result.points)).toEqual([50, 50, 0]);
    expect(outcomes[2]).toMatchObject({ ok: true, status: 200, result: { transactionId: null, cappedBy: [cap.id] } });
    // Sunday 23:59 is the same ISO week; Monday 00:00 a new one.
    const sunday = new Date(Date.UTC(2026, 5, 21, 23, 59)).toISOString();
    const monday = new Date(Date.UTC(2026, 5, 22, 0, 0)).toISOString();
    const later = { ...ctx, now: new Date(Date.UTC(2026, 5, 22, 1)) };
    expect(await recordEvent(t.db, review("er-v4", sunday), later)).toMatchObject({ points: 0, cappedBy: [cap.id] });
    expect(await recordEvent(t.db, review("er-v5", monday), later)).toMatchObject({ points: 50 });
    await retireEarningCap(t.db, cap.id, { reason: "test done" }, staff);
  });

  it("caps points per member per month: the award that passes the cap is cut to what is left; a capped purchase is a 0-point memo", async () => {
    const m = await newMember(t.db, "er-7");
    const cap = await createEarningCap(t.db, { name: "1,000 purchase points a month", eventType: "purchase", maxPoints: 1_000, period: "month" }, staff);
    const awardCap = await createEarningCap(t.db, { name: "Three purchases a day", eventType: "purchase", maxAwardsPerMember: 3, period: "day" }, staff);
    const p = (ref: string, cents: number): LoyaltyEvent => ({ type: "purchase", memberExternalId: "er-7", referenceId: ref, amountCents: cents });
    const outcomes = await recordEvents(t.db, [p("er-p1", 60_000), p("er-p2", 60_000), p("er-p3", 60_000)], ctx);
    expect(outcomes.map((o) => o.ok && o.result.points)).toEqual([600, 400, 0]);
    expect(outcomes[1]).toMatchObject({ result: { cappedBy: [cap.id] } });
    const memo = await rowOf(t.db, (outcomes[2] as { result: { transactionId: number } }).result.transactionId);
    expect(memo).toMatchObject({ amount: 0, spendAmount: 60_000 });
    expect(memo.appliedRules).toEqual({ caps: [cap.id] });
    expect(await balanceOf(t.db, m.id)).toBe(1_000);
    await retireEarningCap(t.db, cap.id, {}, staff);
    // The award cap: the 0-point memo was no award, so one more purchase today is the third.
    const [fourth, fifth] = await recordEvents(t.db, [p("er-p4", 1_000), p("er-p5", 1_000)], ctx);
    expect(fourth).toMatchObject({ result: { points: 10 } });
    expect(fifth).toMatchObject({ result: { points: 0, cappedBy: [awardCap.id] } });
    await retireEarningCap(t.db, awardCap.id, {}, staff);
  });

  it("keeps a cap under concurrent batches for the same member (real connections, ordered by the balance lock)", async () => {
    await newMember(t.db, "er-8");
    const cap = await createEarningCap(t.db, { name: "Five logins-worth of reviews a day", eventType: "review", maxAwardsPerMember: 5, period: "day" }, staff);
    const points = await createEarningCap(t.db, { name: "300 points a day", maxPoints: 300, period: "day" }, staff);
    const pools = [t.connect(2), t.connect(2), t.connect(2), t.connect(2)];
    const batches = await Promise.all(
      pools.map((pool, b) =>
        recordEvents(
          pool.db,
          [0, 1, 2].map((i): LoyaltyEvent => ({ type: "review", memberExternalId: "er-8", referenceId: `er-c${b}-${i}`, occurredAt: at(i) })),
          ctx,
        ),
      ),
    );
    const awarded = batches.flat().filter((o) => o.ok && o.result.points > 0);
    expect(awarded).toHaveLength(5);
    const [sum] = await queryRows<{ n: number; p: number }>(
      t.db,
      sql`SELECT count(*)::int AS n, sum(amount)::int AS p FROM point_transactions t JOIN members m ON m.id = t.member_id WHERE m.external_id = 'er-8'`,
    );
    expect(sum).toEqual({ n: 5, p: 250 });
    // The points cap over every event type: 250 used today, a purchase of 100 points gets 50.
    expect(await recordEvent(t.db, { type: "purchase", memberExternalId: "er-8", referenceId: "er-c-p", amountCents: 10_000 }, ctx)).toMatchObject({
      points: 50,
      cappedBy: [points.id],
    });
    await retireEarningCap(t.db, cap.id, {}, staff);
    await retireEarningCap(t.db, points.id, {}, staff);
  });
});
