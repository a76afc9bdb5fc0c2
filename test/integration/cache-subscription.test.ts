import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import type { Redis } from "ioredis";
import { register } from "@/instrumentation";
import { pointBalances } from "@/db/schema";
import { cacheKeyPrefix, setCacheStore } from "@/lib/cache/cache";
import { memberGeneration, startCacheInvalidation } from "@/lib/cache/invalidation";
import { cachedMemberSummary } from "@/lib/cache/member-summary-cache";
import { MemoryStore } from "@/lib/cache/memory-store";
import { RedisStore } from "@/lib/cache/redis-store";
import { recordEvents } from "@/lib/loyalty/accrual/record-events";
import { resetEnvCache } from "@/lib/env";
import { ensureMember } from "@/lib/loyalty/members/ensure-member";
import { publishEvents } from "@/lib/stream/producer";
import { createTestDatabase, type TestDatabase } from "../support/test-database";
import { deadRedisUrl } from "../scale/redis-server";
import { REDIS_URL, spawnWorker, testRedis, uniqueStream, waitFor } from "../scale/stream-support";

/**
 * Processes that write before they ever read (a server whose first request is a write, the stream
 * worker) must still invalidate what other processes cache. Runs in a process of its own (Vitest
 * isolates files), where nothing has subscribed before the first test.
 */
describe("cache invalidation subscribed at process start", () => {
  let t: TestDatabase;
  let seq = 0;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await setCacheStore(undefined)?.close();
    await t.drop();
  });

  const purchase = (externalId: string) =>
    recordEvents(t.db, [{ type: "purchase", memberExternalId: externalId, referenceId: `sub-${seq++}`, amountCents: 1_000 }], { actor: "api:test" });

  it("instrumentation's register() subscribes in the Node.js runtime only, so a first write invalidates", async () => {
    const store = new MemoryStore();
    await setCacheStore(store)?.close();
    const { member } = await ensureMember(t.db, { externalId: "sub-m1" });
    const generation = () => store.get(`gen:${memberGeneration(member.id)}`);
    const saved = process.env.NEXT_RUNTIME;
    try {
      await purchase("sub-m1");
      expect(await generation()).toBeUndefined();

      process.env.NEXT_RUNTIME = "edge";
      await register();
      await purchase("sub-m1");
      expect(await generation()).toBeUndefined();

      process.env.NEXT_RUNTIME = "nodejs";
      await register();
      await purchase("sub-m1");
      expect(await generation()).toBe("1");
    } finally {
      if (saved === undefined) delete process.env.NEXT_RUNTIME;
      else process.env.NEXT_RUNTIME = saved;
    }
  });

  it("starts even when Redis is unreachable (the app then reads the database)", async () => {
    const saved = process.env.REDIS_URL;
    process.env.REDIS_URL = await deadRedisUrl();
    resetEnvCache();
    await setCacheStore(undefined)?.close();
    try {
      await expect(startCacheInvalidation(300)).resolves.toBeUndefined();
      const { member } = await ensureMember(t.db, { externalId: "sub-m2" });
      await purchase("sub-m2");
      expect((await cachedMemberSummary(t.db, "sub-m2")).availablePoints).toBe(10);
      await t.db.update(pointBalances).set({ availablePoints: 33 }).where(eq(pointBalances.memberId, member.id));
      expect((await cachedMemberSummary(t.db, "sub-m2")).availablePoints).toBe(33);
    } finally {
      await setCacheStore(undefined)?.close();
      if (saved === undefined) delete process.env.REDIS_URL;
      else process.env.REDIS_URL = saved;
      resetEnvCache();
    }
  });

  describe("with a stream worker in another process", () => {
    let redis: Redis;
    const stream = uniqueStream();
    beforeAll(() => {
      redis = testRedis();
    });
    afterAll(async () => {
      await redis.del(stream, `${stream}:dead`);
      redis.disconnect();
    });

    it("a commit of the worker drops the summary this process cached in Redis, from its very first batch", { timeout: 90_000 }, async () => {
      // The worker names its keys after its DATABASE_URL; so does this "web" process.
      const web = new RedisStore(REDIS_URL, { keyPrefix: cacheKeyPrefix(t.url) });
      expect(await web.whenReady()).toBe(true);
      await setCacheStore(web)?.close();
      const { member } = await ensureMember(t.db, { externalId: "sub-w1" });
      expect((await cachedMemberSummary(t.db, "sub-w1")).availablePoints).toBe(0);
      // Behind the app's back: only a read of the database would see it, and the entry is cached.
      await t.db.update(pointBalances).set({ availablePoints: 5 }).where(eq(pointBalances.memberId, member.id));
      expect((await cachedMemberSummary(t.db, "sub-w1")).availablePoints).toBe(0);

      // Published before the worker starts, so its first batch holds it.
      await publishEvents(redis, [{ type: "purchase", memberExternalId: "sub-w1", referenceId: "sub-w-1", amountCents: 4_200 }], { stream });
      const worker = spawnWorker(t.url, ["--stream", stream, "--consumer", "sub-w", "--block-ms", "200"]);
      try {
        await waitFor(async () => worker.lines.some((l) => l.includes('"msg":"committed"')), 60_000);
      } finally {
        worker.child.kill("SIGTERM");
        await worker.exited;
      }
      expect((await cachedMemberSummary(t.db, "sub-w1")).availablePoints).toBe(47);
    });
  });
});
