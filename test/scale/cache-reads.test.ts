import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { campaigns, pointBalances } from "@/db/schema";
import { setCacheStore } from "@/lib/cache/cache";
import { cachedActiveCampaigns } from "@/lib/cache/campaigns-cache";
import { invalidateActiveCampaigns } from "@/lib/cache/invalidation";
import { cachedMemberSummary } from "@/lib/cache/member-summary-cache";
import { MemoryStore } from "@/lib/cache/memory-store";
import { RedisStore } from "@/lib/cache/redis-store";
import type { CacheStore } from "@/lib/cache/store";
import { cachedTransactionsPage } from "@/lib/cache/transactions-cache";
import { recordEvents } from "@/lib/loyalty/accrual/record-events";
import { ensureMember } from "@/lib/loyalty/members/ensure-member";
import { createTestDatabase, type TestDatabase } from "../support/test-database";
import { deadRedisUrl } from "./redis-server";
import { REDIS_URL } from "./stream-support";

describe("cached reads over the real database", () => {
  let t: TestDatabase;
  let counter = 0;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterEach(async () => {
    await setCacheStore(undefined)?.close();
  });
  afterAll(() => t.drop());

  async function newMember() {
    const externalId = `cache-${counter++}`;
    const { member } = await ensureMember(t.db, { externalId });
    return { externalId, id: member.id };
  }
  const earn = (externalId: string, ref: string, amountCents = 10_000) =>
    recordEvents(t.db, [{ type: "purchase", memberExternalId: externalId, referenceId: ref, amountCents }], { actor: "api:test" });
  // Behind the app's back (no after-commit notification): only a cache miss can see it.
  const tamper = (memberId: number, points: number) => t.db.update(pointBalances).set({ availablePoints: points }).where(eq(pointBalances.memberId, memberId));

  for (const kind of ["memory", "redis"] as const) {
    const makeStore = async (): Promise<CacheStore> => {
      if (kind === "memory") return new MemoryStore();
      const store = new RedisStore(REDIS_URL, { keyPrefix: `t:${process.pid}:${Date.now()}:` });
      expect(await store.whenReady()).toBe(true);
      return store;
    };

    it(`${kind}: serves the member summary from cache and drops it when the member's transaction commits`, async () => {
      setCacheStore(await makeStore());
      const m = await newMember();
      await earn(m.externalId, `${kind}-s1`);
      expect((await cachedMemberSummary(t.db, m.externalId)).availablePoints).toBe(100);
      await tamper(m.id, 5);
      expect((await cachedMemberSummary(t.db, m.externalId)).availablePoints).toBe(100);
      await earn(m.externalId, `${kind}-s2`, 5_000);
      // 5 (tampered) + 50: read from the database after the invalidation.
      expect((await cachedMemberSummary(t.db, m.externalId)).availablePoints).toBe(55);
    });

    it(`${kind}: caches the first history page and drops it on a new transaction`, async () => {
      setCacheStore(await makeStore());
      const m = await newMember();
      await earn(m.externalId, `${kind}-h1`);
      const first = await cachedTransactionsPage(t.db, { memberId: m.id, limit: 10 });
      expect(first.items.map((i) => i.referenceId)).toEqual([`${kind}-h1`]);
      expect(first.items[0]!.occurredAt).toBeInstanceOf(Date);
      await earn(m.externalId, `${kind}-h2`);
      const second = await cachedTransactionsPage(t.db, { memberId: m.id, limit: 10 });
      expect(second.items.map((i) => i.referenceId)).toEqual([`${kind}-h2`, `${kind}-h1`]);
    });
  }

  it("expires the member summary after 30 s even without a write", async () => {
    let now = Date.now();
    setCacheStore(new MemoryStore(1_000, () => now));
    const m = await newMember();
    expect((await cachedMemberSummary(t.db, m.externalId)).availablePoints).toBe(0);
    await tamper(m.id, 7);
    now += 29_000;
    expect((await cachedMemberSummary(t.db, m.externalId)).availablePoints).toBe(0);
    now += 1_001;
    expect((await cachedMemberSummary(t.db, m.externalId)).availablePoints).toBe(7);
  });

  it("caches active campaigns for 5 minutes, filters exactly by instant, and drops them on invalidation", async () => {
    let now = Date.UTC(2026, 5, 1, 12, 0, 0);
    setCacheStore(new MemoryStore(1_000, () => now));
    const startsAt = new Date(Date.UTC(2026, 5, 1, 12, 2, 30));
    const endsAt = new Date(Date.UTC(2026, 5, 2));
    await t.db.insert(campaigns).values({ name: "Double", multiplier: 2, startsAt, endsAt });
    const names = async (at: Date) => (await cachedActiveCampaigns(t.db, at)).map((c) => c.name);
    expect(await names(new Date(Date.UTC(2026, 5, 1, 12, 2, 29)))).toEqual([]);
    expect(await names(startsAt)).toEqual(["Double"]);
    expect((await cachedActiveCampaigns(t.db, startsAt))[0]!.startsAt).toEqual(startsAt);

    await t.db.insert(campaigns).values({ name: "Triple", multiplier: 3, startsAt, endsAt });
    expect(await names(startsAt)).toEqual(["Double"]);
    await invalidateActiveCampaigns();
    expect((await names(startsAt)).sort()).toEqual(["Double", "Triple"]);

    await t.db.execute(sql`UPDATE campaigns SET paused_at = now() WHERE name = 'Triple'`);
    now += 5 * 60 * 1000;
    expect(await names(startsAt)).toEqual(["Double"]);
  });

  it("keeps working from the database when Redis is unreachable", async () => {
    setCacheStore(new RedisStore(await deadRedisUrl()));
    const m = await newMember();
    await earn(m.externalId, "down-1");
    expect((await cachedMemberSummary(t.db, m.externalId)).availablePoints).toBe(100);
    await tamper(m.id, 3);
    expect((await cachedMemberSummary(t.db, m.externalId)).availablePoints).toBe(3);
    expect((await cachedTransactionsPage(t.db, { memberId: m.id })).items).toHaveLength(1);
  });
});
