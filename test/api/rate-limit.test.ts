import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { GET as getMember } from "@/app/api/v1/members/[externalId]/route";
import { POST as createMember } from "@/app/api/v1/members/route";
import { like } from "drizzle-orm";
import { Redis } from "ioredis";
import { members } from "@/db/schema";
import { env, resetEnvCache } from "@/lib/env";
import { createApiKey } from "@/lib/loyalty/access/api-keys";
import { apiKeyPolicy } from "@/lib/rate-limit/policies";
import { RateLimits, redisRateLimits, reservationSize, setRateLimits } from "@/lib/rate-limit/rate-limits";
import { REDIS_URL } from "../scale/stream-support";
import { call, createApiHarness, type ApiHarness, type CallResult } from "./api-harness";

const prefix = () => `test:rl:${process.pid}:${Date.now()}:${Math.random().toString(36).slice(2)}:`;

describe("per-key rate limit", () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await createApiHarness();
    await call(createMember, "/api/v1/members", { key: h.key, body: { externalId: "cust-rl" } });
  });
  afterAll(() => h.close());
  afterEach(async () => {
    await setRateLimits(undefined)?.close();
    delete process.env.API_KEY_RATE_LIMIT;
    resetEnvCache();
  });

  const burst = (key: string, n: number) =>
    Promise.all(
      Array.from({ length: n }, () =>
        getMember(new Request("http://localhost/api/v1/members/cust-rl", { headers: { authorization: `Bearer ${key}` } }), {
          params: Promise.resolve({ externalId: "cust-rl" }),
        }),
      ),
    );

  async function expectLimited(responses: Response[], allowed: number) {
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(allowed);
    const refused = responses.filter((r) => r.status === 429);
    expect(refused).toHaveLength(responses.length - allowed);
    for (const r of refused) {
      expect(Number(r.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      const body = (await r.json()) as { error: string; message: string };
      expect(body.error).toBe("rate_limited");
      expect(body.message).toMatch(/requests per second/);
    }
  }

  for (const store of ["memory", "redis"] as const) {
    it(`answers 429 rate_limited with Retry-After once a key's own limit is spent (${store})`, async () => {
      const limits = store === "memory" ? new RateLimits({ kind: "memory" }) : redisRateLimits(REDIS_URL, prefix());
      expect(await limits.whenReady()).toBe(true);
      setRateLimits(limits);
      const { key } = await createApiKey(h.t.db, { name: `limited-${store}`, scopes: ["members:read"], rateLimitPerSecond: 3 });
      await expectLimited(await burst(key, 10), 3);
      // Another key has its own budget.
      const { key: other } = await createApiKey(h.t.db, { name: `other-${store}`, scopes: ["members:read"], rateLimitPerSecond: 3 });
      await expectLimited(await burst(other, 3), 3);
      // The next second the key is served again.
      await new Promise((r) => setTimeout(r, 1_100));
      await expectLimited(await burst(key, 1), 1);
    });
  }

  it("applies the program default API_KEY_RATE_LIMIT to a key without its own limit", async () => {
    process.env.API_KEY_RATE_LIMIT = "4";
    resetEnvCache();
    setRateLimits(new RateLimits({ kind: "memory" }));
    const { key } = await createApiKey(h.t.db, { name: "defaulted", scopes: ["members:read"] });
    await expectLimited(await burst(key, 9), 4);
  });

  it("defaults to 1,000 requests per second per key", async () => {
    setRateLimits(new RateLimits({ kind: "memory" }));
    const { key } = await createApiKey(h.t.db, { name: "busy-shop", scopes: ["members:read"] });
    const limits = new RateLimits({ kind: "memory" });
    // The policy the route applies, spent directly rather than through 1,000 requests.
    const policy = apiKeyPolicy(env().API_KEY_RATE_LIMIT);
    expect(policy.points).toBe(1_000);
    const verdicts = await Promise.all(Array.from({ length: 1_001 }, () => limits.consume(policy, "k")));
    expect(verdicts.filter((v) => v.allowed)).toHaveLength(1_000);
    await expectLimited(await burst(key, 5), 5);
  });

  it("shares one count between app instances on one Redis (two limiters, one prefix)", async () => {
    const shared = prefix();
    const a = redisRateLimits(REDIS_URL, shared);
    const b = redisRateLimits(REDIS_URL, shared);
    try {
      expect([await a.whenReady(), await b.whenReady()]).toEqual([true, true]);
      const policy = { name: "apikey", points: 5, durationSeconds: 1 };
      const first = await Promise.all(Array.from({ length: 3 }, () => a.consume(policy, "42")));
      const second = await Promise.all(Array.from({ length: 4 }, () => b.consume(policy, "42")));
      expect([...first, ...second].filter((v) => v.allowed)).toHaveLength(5);
      expect(second.filter((v) => !v.allowed)).toHaveLength(2);
      // The count lives in Redis under the prefix, with the window's expiry.
      const probe = new Redis(REDIS_URL);
      try {
        const keys = await probe.keys(`${shared}*`);
        expect(keys).toHaveLength(1);
        expect(Number(await probe.get(keys[0]!))).toBe(7);
        expect(await probe.pttl(keys[0]!)).toBeLessThanOrEqual(1_000);
      } finally {
        probe.disconnect();
      }
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("spends a high limit memory first: slices reserved from Redis, never more than the budget across instances", async () => {
    expect([reservationSize(3), reservationSize(100), reservationSize(1_000), reservationSize(100_000)]).toEqual([1, 5, 50, 100]);
    const shared = prefix();
    const a = redisRateLimits(REDIS_URL, shared);
    const b = redisRateLimits(REDIS_URL, shared);
    const probe = new Redis(REDIS_URL);
    try {
      expect([await a.whenReady(), await b.whenReady()]).toEqual([true, true]);
      const policy = { name: "apikey", points: 100, durationSeconds: 1 };
      const first = await Promise.all(Array.from({ length: 60 }, () => a.consumeReserved(policy, "9")));
      expect(first.every((v) => v.allowed)).toBe(true);
      const [key] = await probe.keys(`${shared}*`);
      // 60 requests, 12 reservations of 5 points: Redis counted exactly what was taken.
      expect(Number(await probe.get(key!))).toBe(60);
      const second = await Promise.all(Array.from({ length: 60 }, () => b.consumeReserved(policy, "9")));
      expect(second.filter((v) => v.allowed)).toHaveLength(40);
      const refused = second.find((v) => !v.allowed);
      expect(refused && !refused.allowed && refused.retryAfterSeconds).toBe(1);
      // A's slices are spent: it is refused too, until the window ends.
      expect((await a.consumeReserved(policy, "9")).allowed).toBe(false);
      await new Promise((r) => setTimeout(r, 1_100));
      expect((await a.consumeReserved(policy, "9")).allowed).toBe(true);
    } finally {
      probe.disconnect();
      await a.close();
      await b.close();
    }
  });

  it("keeps limiting in memory, without failing a request, while Redis is unreachable", async () => {
    const down = redisRateLimits("redis://127.0.0.1:1", prefix());
    try {
      const policy = { name: "apikey", points: 2, durationSeconds: 1 };
      const verdicts = await Promise.all(Array.from({ length: 5 }, () => down.consume(policy, "7")));
      expect(verdicts.map((v) => v.allowed)).toEqual([true, true, false, false, false]);
    } finally {
      await down.close();
    }
  });

  it("counts a key's refused calls too: a key without the scope is still limited", async () => {
    setRateLimits(new RateLimits({ kind: "memory" }));
    const { key } = await createApiKey(h.t.db, { name: "wrong-scope", scopes: ["events:write"], rateLimitPerSecond: 2 });
    const statuses = (await burst(key, 4)).map((r) => r.status).sort();
    expect(statuses).toEqual([403, 403, 429, 429]);
  });

  it("writes nothing for a refused request", async () => {
    setRateLimits(new RateLimits({ kind: "memory" }));
    const { key } = await createApiKey(h.t.db, { name: "writer", scopes: ["members:write"], rateLimitPerSecond: 1 });
    const results: CallResult[] = [];
    for (let i = 0; i < 3; i++) {
      results.push(await call(createMember, "/api/v1/members", { key, body: { externalId: `rl-new-${i}` } }));
    }
    expect(results.map((r) => r.status)).toEqual([201, 429, 429]);
    expect(await h.t.db.$count(members, like(members.externalId, "rl-new-%"))).toBe(1);
  });
});
