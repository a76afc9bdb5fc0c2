import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { POST as recordEvent } from "@/app/api/v1/events/route";
import { POST as createMember } from "@/app/api/v1/members/route";
import { GET as getMember } from "@/app/api/v1/members/[externalId]/route";
import { POST as redeem } from "@/app/api/v1/members/[externalId]/redemptions/route";
import { GET as listTransactions } from "@/app/api/v1/members/[externalId]/transactions/route";
import { pointBalances } from "@/db/schema";
import { getCacheStore, setCacheStore } from "@/lib/cache/cache";
import { RedisStore } from "@/lib/cache/redis-store";
import { adjustPoints } from "@/lib/loyalty/adjustments/adjust-points";
import { getMemberByExternalId } from "@/db/queries/members";
import { resetEnvCache } from "@/lib/env";
import { call, createApiHarness, type ApiHarness } from "../api/api-harness";
import { deadRedisUrl } from "../scale/redis-server";
import { REDIS_URL } from "../scale/stream-support";

/**
 * The REST reads served from the cache (lib/cache), with each kind of store the app can end up with:
 * in-process memory (no REDIS_URL), the real Redis, and a REDIS_URL where nothing listens.
 */
const STORES = {
  memory: async () => undefined,
  redis: async () => REDIS_URL,
  "unreachable redis": () => deadRedisUrl(),
} as const;

function setEnv(values: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  resetEnvCache();
}

for (const [kind, redisUrl] of Object.entries(STORES)) {
  describe(`cached member reads through the API (${kind})`, () => {
    let h: ApiHarness;
    let counter = 0;
    const saved = { REDIS_URL: process.env.REDIS_URL, DATABASE_URL: process.env.DATABASE_URL };

    beforeAll(async () => {
      h = await createApiHarness();
      // The app builds its store from the environment, as a deployment would; its Redis keys are
      // namespaced by DATABASE_URL, so this file's database shares no entry with any other.
      setEnv({ REDIS_URL: await redisUrl(), DATABASE_URL: h.t.url });
      await setCacheStore(undefined)?.close();
      const store = getCacheStore();
      expect(store.kind).toBe(kind === "memory" ? "memory" : "redis");
      if (store instanceof RedisStore) expect(await store.whenReady(2_000)).toBe(kind === "redis");
    });
    afterEach(() => {
      counter++;
    });
    afterAll(async () => {
      await setCacheStore(undefined)?.close();
      setEnv(saved);
      await h.close();
    });

    const cached = kind !== "unreachable redis";
    const newMember = async () => {
      const externalId = `cache-api-${counter}`;
      expect((await call(createMember, "/api/v1/members", { key: h.key, body: { externalId } })).status).toBe(201);
      const member = (await getMemberByExternalId(h.t.db, externalId))!;
      return { externalId, id: member.id };
    };
    const summary = async (externalId: string) => {
      const result = await call(getMember, `/api/v1/members/${externalId}`, { key: h.key, params: { externalId } });
      expect(result.status).toBe(200);
      return result.body as { availablePoints: number; totalEarned: number };
    };
    const firstPage = async (externalId: string) => {
      const result = await call(listTransactions, `/api/v1/members/${externalId}/transactions`, { key: h.key, params: { externalId } });
      expect(result.status).toBe(200);
      return (result.body as { items: { referenceId: string }[] }).items.map((i) => i.referenceId);
    };
    const purchase = async (externalId: string, referenceId: string, amountCents: number) => {
      const body = { type: "purchase", memberExternalId: externalId, referenceId, amountCents };
      expect((await call(recordEvent, "/api/v1/events", { key: h.key, body })).status).toBe(201);
    };
    // Behind the app's back (no after-commit notification): only a read of the database sees it.
    const tamper = (memberId: number, points: number) =>
      h.t.db.update(pointBalances).set({ availablePoints: points }).where(eq(pointBalances.memberId, memberId));

    it(`${cached ? "serves the summary from the cache until" : "reads the database every time, and"} a commit through another path changes it at once`, async () => {
      const m = await newMember();
      await purchase(m.externalId, "c-1", 10_000);
      expect((await summary(m.externalId)).availablePoints).toBe(100);

      await tamper(m.id, 1_000);
      expect((await summary(m.externalId)).availablePoints).toBe(cached ? 100 : 1_000);

      // The single-event endpoint (group commit) commits a purchase: the summary changes at once.
      await purchase(m.externalId, "c-2", 5_000);
      expect(await summary(m.externalId)).toMatchObject({ availablePoints: 1_050, totalEarned: 150 });

      // So does a redemption through its own route...
      const redeemed = await call(redeem, `/api/v1/members/${m.externalId}/redemptions`, {
        key: h.key,
        body: { points: 30, referenceId: "c-red-1" },
        params: { externalId: m.externalId },
      });
      expect(redeemed.status).toBe(201);
      expect((await summary(m.externalId)).availablePoints).toBe(1_020);

      // ...and a staff adjustment, which never goes through the API.
      await adjustPoints(h.t.db, { memberId: m.id, points: 7, reason: "goodwill gesture", referenceId: "c-adj-1" }, { actor: "user:test" });
      expect((await summary(m.externalId)).availablePoints).toBe(1_027);
    });

    it(`${cached ? "serves" : "reads"} the first history page ${cached ? "from the cache until" : "from the database, also after"} the member's next transaction commits`, async () => {
      const m = await newMember();
      await purchase(m.externalId, "h-1", 1_000);
      expect(await firstPage(m.externalId)).toEqual(["h-1"]);
      await purchase(m.externalId, "h-2", 1_000);
      expect(await firstPage(m.externalId)).toEqual(["h-2", "h-1"]);
    });

    it("answers 404 for an unknown member and then serves it once created", async () => {
      const missing = await call(getMember, "/api/v1/members/later-member", { key: h.key, params: { externalId: "later-member" } });
      expect([missing.status, missing.body.error]).toEqual([404, "member_not_found"]);
      await call(createMember, "/api/v1/members", { key: h.key, body: { externalId: "later-member" } });
      expect((await summary("later-member")).availablePoints).toBe(0);
    });
  });
}
