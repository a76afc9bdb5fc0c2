import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { setCacheStore } from "@/lib/cache/cache";
import { cachedMemberSummary } from "@/lib/cache/member-summary-cache";
import { MemoryStore } from "@/lib/cache/memory-store";
import { RedisStore } from "@/lib/cache/redis-store";
import type { CacheStore } from "@/lib/cache/store";
import { recordEvents } from "@/lib/loyalty/accrual/record-events";
import { isLoyaltyError } from "@/lib/loyalty/errors";
import { eraseMember } from "@/lib/loyalty/members/erase-member";
import { ensureMember } from "@/lib/loyalty/members/ensure-member";
import { erasedIdDigest } from "@/lib/privacy/erased-id-digest";
import { REDIS_URL } from "../scale/stream-support";
import { createTestDatabase, type TestDatabase } from "../support/test-database";

/**
 * The member-summary cache remembers externalId → member id for a day. An erasure frees the
 * external id (docs/privacy.md), and a new member may take it at once: every process must then
 * read, and show the points of, the new member, not the erased one.
 */
describe("member-summary cache after an erasure", () => {
  let t: TestDatabase;
  let seq = 0;
  const stores: CacheStore[] = [];
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterEach(async () => {
    setCacheStore(undefined);
    for (const s of stores.splice(0)) await s.close();
  });
  afterAll(() => t.drop());

  const purchase = (externalId: string, amountCents: number) =>
    recordEvents(t.db, [{ type: "purchase", memberExternalId: externalId, referenceId: `ec-${seq++}`, amountCents }], { actor: "api:test" });
  const erase = (externalId: string) =>
    eraseMember(t.db, { kind: "system", name: "test" }, { externalId, reason: "member asked to be forgotten" }, { digest: erasedIdDigest });

  async function redisStore(prefix: string): Promise<CacheStore> {
    const store = new RedisStore(REDIS_URL, { keyPrefix: prefix });
    expect(await store.whenReady()).toBe(true);
    stores.push(store);
    return store;
  }

  /**
   * `web` reads (and memoizes the id), `writer` erases and books: two processes sharing Redis, or
   * the same in-process store when there is no Redis.
   */
  async function scenario(externalId: string, web: CacheStore, writer: CacheStore) {
    setCacheStore(writer);
    const { member: old } = await ensureMember(t.db, { externalId, email: `${externalId}@example.org`, name: "Old Person" });
    await purchase(externalId, 50_000);
    setCacheStore(web);
    expect((await cachedMemberSummary(t.db, externalId)).availablePoints).toBe(500);

    setCacheStore(writer);
    const erased = await erase(externalId);
    expect(erased.alreadyErased).toBe(false);
    setCacheStore(web);
    const gone = await cachedMemberSummary(t.db, externalId).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isLoyaltyError(gone) && gone.code).toBe("member_not_found");

    setCacheStore(writer);
    const { member: fresh, created } = await ensureMember(t.db, { externalId });
    expect(created).toBe(true);
    expect(fresh.id).not.toBe(old.id);
    setCacheStore(web);
    const before = await cachedMemberSummary(t.db, externalId);
    expect(before).toMatchObject({ externalId, email: null, name: null, availablePoints: 0 });

    setCacheStore(writer);
    await purchase(externalId, 4_200);
    setCacheStore(web);
    const after = await cachedMemberSummary(t.db, externalId);
    expect(after).toMatchObject({ externalId, email: null, name: null, availablePoints: 42, totalEarned: 42 });
    // Twice: the second read is a hit of the new member's entry.
    expect((await cachedMemberSummary(t.db, externalId)).availablePoints).toBe(42);

    // The erased member kept its points under its id and tombstone; the new one has only its own.
    const tomb = await cachedMemberSummary(t.db, erased.externalId);
    expect(tomb).toMatchObject({ externalId: `erased:${old.id}`, email: null, availablePoints: 500 });
  }

  it("in-process: the new member of a reused external id gets and shows its points", async () => {
    const store = new MemoryStore();
    stores.push(store);
    await scenario("ec-memory-1", store, store);
  });

  it("Redis, one process: the same", async () => {
    const store = await redisStore(`t:ec:${process.pid}:${Date.now()}:a:`);
    await scenario("ec-redis-1", store, store);
  });

  it("Redis, two processes: one erases and books, the other had memoized the old member and reads the new one", async () => {
    const prefix = `t:ec:${process.pid}:${Date.now()}:b:`;
    await scenario("ec-redis-2", await redisStore(prefix), await redisStore(prefix));
  });
});
