import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { auditLog, campaigns } from "@/db/schema";
import { changeCampaign, createCampaign, endCampaign, pauseCampaign, resumeCampaign, archiveCampaign } from "@/lib/loyalty/campaigns/change-campaigns";
import { getCampaign, listCampaigns } from "@/lib/loyalty/campaigns/list-campaigns";
import { isLoyaltyError, type LoyaltyError } from "@/lib/loyalty/errors";
import { createTestDatabase, type TestDatabase } from "../../support/test-database";
import { admin, marketing, member, nobody, support } from "../support/actors";

const now = new Date("2026-06-01T12:00:00Z");
const input = {
  name: "Triple weekend",
  multiplier: "3",
  startsAt: "2026-06-05T00:00",
  endsAt: "2026-06-08T00:00",
  timeZone: "America/New_York",
  eventTypes: ["purchase"],
  tiers: ["silver", "gold"],
};

async function errorOf(promise: Promise<unknown>): Promise<LoyaltyError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isLoyaltyError(error)) throw new Error(`expected a LoyaltyError, got ${String(error)}`);
  return error;
}

describe("campaigns service", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  it("creates a campaign with its window converted from the chosen zone, and audits it", async () => {
    const c = await createCampaign(t.db, input, { actor: marketing, now });
    expect(c).toMatchObject({
      multiplier: 3,
      startsAt: new Date("2026-06-05T04:00:00Z"),
      endsAt: new Date("2026-06-08T04:00:00Z"),
      timeZone: "America/New_York",
      eventTypes: ["purchase"],
      tiers: ["silver", "gold"],
      createdBy: "user:u-marketing",
    });
    const entries = await t.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.targetId, String(c.id)));
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actor: "user:u-marketing", action: "campaign.create", targetType: "campaign" });
    expect(entries[0]!.after).toMatchObject({ multiplier: 3, startsAt: "2026-06-05T04:00:00.000Z" });
  });

  it.each([
    [{ multiplier: 0 }, "multiplier"],
    [{ multiplier: 1 }, "multiplier"],
    [{ multiplier: 11 }, "multiplier"],
    [{ eventTypes: ["purchase", "refund"] }, "eventTypes"],
    [{ endsAt: "2026-06-04T00:00" }, "endsAt"],
    [{ startsAt: "2026-05-01T00:00" }, "startsAt"],
    [{ startsAt: "2026-03-08T02:30", endsAt: "2026-03-09T00:00" }, "startsAt"],
  ])("refuses %j without writing anything", async (change, field) => {
    const before = await t.db.select({ n: sql<number>`count(*)::int` }).from(campaigns);
    const error = await errorOf(createCampaign(t.db, { ...input, ...change }, { actor: admin, now }));
    expect(["validation_failed", "unprocessable"]).toContain(error.code);
    expect(error.field?.split(".")[0]).toBe(field);
    const after = await t.db.select({ n: sql<number>`count(*)::int` }).from(campaigns);
    expect(after[0]!.n).toBe(before[0]!.n);
  });

  it("refuses every role but marketing and admin, for reads and writes", async () => {
    const c = await createCampaign(t.db, input, { actor: admin, now });
    for (const actor of [support, member, nobody]) {
      expect((await errorOf(createCampaign(t.db, input, { actor, now }))).code).toBe("forbidden");
      expect((await errorOf(changeCampaign(t.db, c.id, { name: "x" }, { actor, now }))).code).toBe("forbidden");
      expect((await errorOf(listCampaigns(t.db, actor, { now }))).code).toBe("forbidden");
      expect((await errorOf(getCampaign(t.db, actor, c.id, now))).code).toBe("forbidden");
    }
    const apiReadOnly = { kind: "api" as const, name: "bi", scopes: ["campaigns:read" as const] };
    expect((await errorOf(createCampaign(t.db, input, { actor: apiReadOnly, now }))).code).toBe("forbidden");
    await expect(listCampaigns(t.db, apiReadOnly, { now })).resolves.toBeDefined();
  });

  it("edits terms only until the start; after it, only pause/resume/end/archive", async () => {
    const c = await createCampaign(t.db, input, { actor: marketing, now });
    const edited = await changeCampaign(t.db, c.id, { multiplier: "2.5", endsAt: "2026-06-09T00:00" }, { actor: marketing, now });
    expect(edited).toMatchObject({ multiplier: 2.5, endsAt: new Date("2026-06-09T04:00:00Z"), name: input.name });

    const running = new Date("2026-06-06T00:00:00Z");
    const started = await errorOf(changeCampaign(t.db, c.id, { multiplier: 5 }, { actor: marketing, now: running }));
    expect(started.code).toBe("campaign_started");
    expect((await t.db.select().from(campaigns).where(eq(campaigns.id, c.id)))[0]!.multiplier).toBe(2.5);

    const paused = await pauseCampaign(t.db, c.id, { actor: marketing, now: running });
    expect(paused.pausedAt).toEqual(running);
    expect((await errorOf(pauseCampaign(t.db, c.id, { actor: marketing, now: running }))).code).toBe("conflict");
    const resumed = await resumeCampaign(t.db, c.id, { actor: marketing, now: running });
    expect(resumed.pausedAt).toBeNull();

    const later = new Date("2026-06-07T00:00:00Z");
    const ended = await endCampaign(t.db, c.id, { actor: marketing, now: later });
    expect(ended.endsAt).toEqual(later);
    const archived = await archiveCampaign(t.db, c.id, { actor: marketing, now: later });
    expect(archived.archivedAt).toEqual(later);

    const actions = await t.db
      .select({ action: auditLog.action })
      .from(auditLog)
      .where(eq(auditLog.targetId, String(c.id)))
      .orderBy(auditLog.id);
    expect(actions.map((a) => a.action)).toEqual([
      "campaign.create",
      "campaign.update",
      "campaign.pause",
      "campaign.resume",
      "campaign.end",
      "campaign.archive",
    ]);
  });

  it("will not end a campaign that has not started, and 404s an unknown one", async () => {
    const c = await createCampaign(t.db, input, { actor: marketing, now });
    expect((await errorOf(endCampaign(t.db, c.id, { actor: marketing, now }))).code).toBe("unprocessable");
    expect((await errorOf(pauseCampaign(t.db, 999_999, { actor: marketing, now }))).code).toBe("campaign_not_found");
  });

  it("lists current and past campaigns with their status", async () => {
    const lists = await listCampaigns(t.db, marketing, { now: new Date("2026-06-06T00:00:00Z") });
    expect(lists.current.length).toBeGreaterThan(0);
    expect(lists.current.every((c) => ["active", "paused", "scheduled"].includes(c.status))).toBe(true);
    expect(lists.past.some((c) => c.status === "archived")).toBe(true);
    expect(lists.current[0]!.results).toEqual({ pointsAwarded: 0, membersReached: 0, transactions: 0 });
  });

  it("answers campaign_not_found for an id that is not a positive whole number (a tampered form or URL)", async () => {
    for (const id of [Number("abc"), 0, 2.5]) {
      expect((await errorOf(changeCampaign(t.db, id, { action: "pause" }, { actor: marketing }))).code).toBe("campaign_not_found");
    }
  });
});
