import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { campaigns, pointBalances, pointTransactions } from "@/db/schema";
import { setCacheStore } from "@/lib/cache/cache";
import { MemoryStore } from "@/lib/cache/memory-store";
import { createCampaign, pauseCampaign } from "@/lib/loyalty/campaigns/change-campaigns";
import { checkInForUser } from "@/lib/portal/actions/check-in";
import { getCachedDashboard } from "@/lib/portal/cached-dashboard";
import { memberHistoryPage } from "@/lib/portal/cached-history";
import { getDashboard } from "@/lib/portal/dashboard-queries";
import { listMemberHistory } from "@/lib/portal/history-queries";
import { createTestDatabase, type TestDatabase } from "../support/test-database";
import { createMemberUser, earn } from "../portal/fixtures";
import { marketing } from "../loyalty/support/actors";

/** The member portal's dashboard and first history page, read through the cache. */
describe("portal reads through the cache", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  beforeEach(async () => {
    await setCacheStore(new MemoryStore())?.close();
  });
  afterAll(async () => {
    await setCacheStore(undefined)?.close();
    await t.drop();
  });

  // Behind the app's back (no after-commit notification): only a read of the database sees it.
  const tamperBalance = (memberId: number, points: number) =>
    t.db.update(pointBalances).set({ availablePoints: points }).where(eq(pointBalances.memberId, memberId));

  it("serves balance and tier from the cache until the member's next commit, which shows at once", async () => {
    const user = await createMemberUser(t.db);
    const now = new Date();
    await earn(t.db, user.externalId, 12_000);
    expect((await getCachedDashboard(t.db, user.memberId!, now))!.availablePoints).toBe(120);

    await tamperBalance(user.memberId!, 500);
    expect((await getCachedDashboard(t.db, user.memberId!, now))!.availablePoints).toBe(120);
    expect((await getDashboard(t.db, user.memberId!, now))!.availablePoints).toBe(500);

    await earn(t.db, user.externalId, 3_000);
    const after = (await getCachedDashboard(t.db, user.memberId!, now))!;
    expect(after.availablePoints).toBe(530);
    expect(after.tierSpend12m).toBe(15_000);
    expect(after).toEqual(await getDashboard(t.db, user.memberId!, now));
  });

  it("reads today's check-in fresh, so the card never offers a second one", async () => {
    const user = await createMemberUser(t.db);
    const now = new Date();
    expect((await getCachedDashboard(t.db, user.memberId!, now))!.checkIn).toEqual({ checkedInToday: false, streak: 0 });
    expect((await checkInForUser(t.db, user, now)).status).toBe("success");
    expect((await getCachedDashboard(t.db, user.memberId!, now))!.checkIn).toEqual({ checkedInToday: true, streak: 1 });
  });

  it("shows campaigns from the campaign cache, refreshed at once by a staff write, filtered by tier", async () => {
    const user = await createMemberUser(t.db);
    const now = new Date();
    const window = (days: number) => new Date(now.getTime() + days * 86_400_000).toISOString().slice(0, 16);
    const names = async () => (await getCachedDashboard(t.db, user.memberId!, now))!.campaigns.map((c) => c.name);
    expect(await names()).toEqual([]);

    // Written behind the cache's back: not seen while the cached list lives.
    await t.db.insert(campaigns).values({
      name: "Hidden 3x",
      multiplier: 3,
      startsAt: new Date(now.getTime() - 60_000),
      endsAt: new Date(now.getTime() + 86_400_000),
      eventTypes: ["purchase"],
    });
    expect(await names()).toEqual([]);

    const doubled = await createCampaign(
      t.db,
      { name: "Double", multiplier: 2, startsAt: window(0), endsAt: window(7), eventTypes: ["purchase"] },
      { actor: marketing, now },
    );
    await createCampaign(
      t.db,
      { name: "Gold only", multiplier: 5, startsAt: window(0), endsAt: window(7), eventTypes: ["purchase"], tiers: ["gold"] },
      { actor: marketing, now },
    );
    expect(await names()).toEqual(["Hidden 3x", "Double"]);

    await pauseCampaign(t.db, doubled.id, { actor: marketing, now });
    expect(await names()).toEqual(["Hidden 3x"]);
  });

  it("serves the newest history page from the cache until a commit; older and filtered pages from the database", async () => {
    const user = await createMemberUser(t.db);
    for (let i = 0; i < 27; i++) await earn(t.db, user.externalId, 100 + i, `hist-${user.memberId}-${i}`);
    const first = await memberHistoryPage(t.db, user.memberId!, {});
    expect(first).toEqual(await listMemberHistory(t.db, user.memberId!, {}));
    expect(first.items).toHaveLength(25);

    // The newest lot's remaining changed behind the cache's back: the cached page still shows the old value.
    const newest = first.items[0]!;
    await t.db
      .update(pointTransactions)
      .set({ remaining: 0 })
      .where(and(eq(pointTransactions.id, newest.id), eq(pointTransactions.memberId, user.memberId!)));
    expect((await memberHistoryPage(t.db, user.memberId!, {})).items[0]!.remaining).toBe(newest.remaining);

    const older = await memberHistoryPage(t.db, user.memberId!, { cursor: first.nextCursor! });
    expect(older).toEqual(await listMemberHistory(t.db, user.memberId!, { cursor: first.nextCursor! }));
    expect(older.items.map((r) => r.referenceId)).toEqual([`hist-${user.memberId}-1`, `hist-${user.memberId}-0`]);
    expect(await memberHistoryPage(t.db, user.memberId!, { type: "earn" })).toEqual(await listMemberHistory(t.db, user.memberId!, { type: "earn" }));

    await earn(t.db, user.externalId, 999, `hist-${user.memberId}-new`);
    const fresh = await memberHistoryPage(t.db, user.memberId!, {});
    expect(fresh.items[0]!.referenceId).toBe(`hist-${user.memberId}-new`);
    expect(fresh.items[1]!.remaining).toBe(0);
    expect(fresh).toEqual(await listMemberHistory(t.db, user.memberId!, {}));
  });
});
