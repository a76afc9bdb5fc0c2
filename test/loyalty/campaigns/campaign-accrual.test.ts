import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { members, pointTransactions } from "@/db/schema";
import { recordEvent } from "@/lib/loyalty/accrual/record-events";
import { campaignResults, listCampaigns } from "@/lib/loyalty/campaigns/list-campaigns";
import { previewEarn, DRAFT_CAMPAIGN_ID } from "@/lib/loyalty/campaigns/preview-earn";
import { createCampaign, pauseCampaign, resumeCampaign } from "@/lib/loyalty/campaigns/change-campaigns";
import { ensureMember } from "@/lib/loyalty/members/ensure-member";
import { createTestDatabase, type TestDatabase } from "../../support/test-database";
import { marketing, support } from "../support/actors";
import { loyaltyErrorOf } from "../support/errors";

const planned = new Date("2026-03-01T00:00:00Z");
let seq = 0;

describe("campaigns applied by accrual", () => {
  let t: TestDatabase;
  const purchase = async (member: string, amountCents: number, occurredAt: string) =>
    recordEvent(t.db, { type: "purchase", memberExternalId: member, referenceId: `order-${++seq}`, amountCents, occurredAt }, { actor: "api:test" });

  beforeAll(async () => {
    t = await createTestDatabase();
    await ensureMember(t.db, { externalId: "bronze-1" });
    await ensureMember(t.db, { externalId: "silver-1" });
    await t.db.update(members).set({ tier: "silver" }).where(eq(members.externalId, "silver-1"));
  });
  afterAll(() => t.drop());

  it("applies the highest of overlapping campaigns and stores the winner on the transaction", async () => {
    const double = await createCampaign(
      t.db,
      { name: "2x April", multiplier: 2, startsAt: "2026-04-01T00:00", endsAt: "2026-04-30T00:00", eventTypes: ["purchase"] },
      { actor: marketing, now: planned },
    );
    const triple = await createCampaign(
      t.db,
      { name: "3x weekend", multiplier: "3", startsAt: "2026-04-11T00:00", endsAt: "2026-04-13T00:00", tiers: ["silver"] },
      { actor: marketing, now: planned },
    );

    const bronze = await purchase("bronze-1", 8_000, "2026-04-12T10:00:00Z");
    expect(bronze).toMatchObject({ points: 160, multiplier: 2, campaignId: double.id });
    const silver = await purchase("silver-1", 8_000, "2026-04-12T10:00:00Z");
    expect(silver).toMatchObject({ points: 240, multiplier: 3, campaignId: triple.id });
    const [row] = await t.db.select().from(pointTransactions).where(eq(pointTransactions.id, silver.transactionId!));
    expect(row).toMatchObject({ campaignId: triple.id, multiplier: 3, amount: 240 });

    const results = await campaignResults(t.db, [double.id, triple.id]);
    expect(results.get(double.id)).toEqual({ pointsAwarded: 160, membersReached: 1, transactions: 1 });
    expect(results.get(triple.id)).toEqual({ pointsAwarded: 240, membersReached: 1, transactions: 1 });
    const lists = await listCampaigns(t.db, marketing, { now: new Date("2026-05-01T00:00:00Z") });
    expect(lists.past.find((c) => c.id === triple.id)?.results.pointsAwarded).toBe(240);
  });

  it("previews through the accrual planner: same points as the real event", async () => {
    const preview = await previewEarn(t.db, marketing, { amountCents: 8_000, tier: "silver", at: "2026-04-12T10:00:00Z" });
    const real = await purchase("silver-1", 8_000, "2026-04-12T10:00:00Z");
    expect(preview).toEqual({ points: real.points, multiplier: real.multiplier, campaignId: real.campaignId });
    const outside = await previewEarn(t.db, marketing, { amountCents: 8_099, tier: "gold", at: "2026-06-01T00:00:00Z" });
    expect(outside).toEqual({ points: 80, multiplier: 1, campaignId: null });
    const withDraft = await previewEarn(
      t.db,
      marketing,
      { amountCents: 8_000, tier: "gold", at: "2026-06-01T00:00:00Z" },
      { multiplier: 5, startsAt: new Date("2026-05-31T00:00:00Z"), endsAt: new Date("2026-06-02T00:00:00Z"), eventTypes: [], tiers: [] },
    );
    expect(withDraft).toEqual({ points: 400, multiplier: 5, campaignId: DRAFT_CAMPAIGN_ID });
    expect((await loyaltyErrorOf(previewEarn(t.db, support, { tier: "gold", at: "2026-06-01T00:00:00Z" }))).code).toBe("forbidden");
  });

  it("refuses a preview instant outside 1970-9999, a day that does not exist, or one without a time (the fuzzer's finds)", async () => {
    for (const at of ["0001-01-01T00:00:00+14:00", "1969-12-31T23:59:59Z", "+010000-01-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-04-12"]) {
      const error = await loyaltyErrorOf(previewEarn(t.db, marketing, { amountCents: 1_000, tier: "gold", at }));
      expect(error.code, at).toBe("validation_failed");
      expect(JSON.stringify(error), at).toContain("at");
    }
  });

  it("honours a New York window across midnight UTC and the spring-forward change, to the millisecond", async () => {
    // 20:00 EST on 7 March = 01:00Z on 8 March; 03:30 EDT on 8 March = 07:30Z (clocks skip 02:00–03:00).
    const night = await createCampaign(
      t.db,
      {
        name: "Night owl",
        multiplier: 4,
        startsAt: "2026-03-07T20:00",
        endsAt: "2026-03-08T03:30",
        timeZone: "America/New_York",
        eventTypes: ["purchase"],
        tiers: ["bronze"],
      },
      { actor: marketing, now: planned },
    );
    expect(night.startsAt.toISOString()).toBe("2026-03-08T01:00:00.000Z");
    expect(night.endsAt.toISOString()).toBe("2026-03-08T07:30:00.000Z");
    const at = async (iso: string) => (await purchase("bronze-1", 1_000, iso)).campaignId;
    expect(await at("2026-03-08T00:59:59.999Z")).toBeNull();
    expect(await at("2026-03-08T01:00:00.000Z")).toBe(night.id);
    expect(await at("2026-03-08T06:59:00.000Z")).toBe(night.id); // 01:59 EST, just before the skip
    expect(await at("2026-03-08T07:00:00.000Z")).toBe(night.id); // 03:00 EDT, just after it
    expect(await at("2026-03-08T07:29:59.999Z")).toBe(night.id);
    expect(await at("2026-03-08T07:30:00.000Z")).toBeNull();
  });

  it("stops applying a paused campaign to new events at once, and resumes", async () => {
    const window = { startsAt: "2026-07-01T00:00", endsAt: "2026-07-31T00:00" };
    const c = await createCampaign(t.db, { name: "July", multiplier: 6, ...window, eventTypes: ["review"] }, { actor: marketing, now: planned });
    const review = () =>
      recordEvent(
        t.db,
        { type: "review", memberExternalId: "bronze-1", referenceId: `review-${++seq}`, occurredAt: "2026-07-10T00:00:00Z" },
        { actor: "api:test" },
      );
    expect((await review()).points).toBe(300);
    await pauseCampaign(t.db, c.id, { actor: marketing, now: new Date("2026-07-05T00:00:00Z") });
    expect((await review()).points).toBe(50);
    await resumeCampaign(t.db, c.id, { actor: marketing, now: new Date("2026-07-06T00:00:00Z") });
    expect((await review()).points).toBe(300);
  });
});
