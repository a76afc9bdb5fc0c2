import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bumpGenerations, readThrough } from "@/lib/cache/cache";
import { decode, encode } from "@/lib/cache/codec";
import { MemoryStore } from "@/lib/cache/memory-store";
import { RedisStore } from "@/lib/cache/redis-store";
import type { CacheStore } from "@/lib/cache/store";
import { deadRedisUrl, startOwnRedis, type OwnRedis } from "./redis-server";

function counter<T>(values: () => T) {
  let calls = 0;
  return {
    load: async () => {
      calls++;
      return values();
    },
    get calls() {
      return calls;
    },
  };
}

describe("codec", () => {
  it("round-trips Dates as Dates and leaves look-alike strings alone", () => {
    const value = { at: new Date("2026-01-02T03:04:05.000Z"), ref: "2026-01-02T03:04:05.000Z", list: [new Date(0)] };
    const back = decode<typeof value>(encode(value));
    expect(back.at).toBeInstanceOf(Date);
    expect(back.at.toISOString()).toBe("2026-01-02T03:04:05.000Z");
    expect(back.ref).toBe("2026-01-02T03:04:05.000Z");
    expect(back.list[0]).toEqual(new Date(0));
  });
});

describe("memory store", () => {
  it("expires entries after their TTL", async () => {
    let now = 1_000;
    const store = new MemoryStore(10, () => now);
    const source = counter(() => ({ points: now }));
    const read = () => readThrough({ key: "k", ttlMs: 30_000, load: source.load }, store);
    expect(await read()).toEqual({ points: 1_000 });
    now += 29_999;
    expect(await read()).toEqual({ points: 1_000 });
    expect(source.calls).toBe(1);
    now += 1;
    expect(await read()).toEqual({ points: 31_000 });
    expect(source.calls).toBe(2);
  });

  it("evicts the least recently used entry when full", async () => {
    const store = new MemoryStore(2);
    await store.set("a", "1", 60_000);
    await store.set("b", "2", 60_000);
    await store.get("a");
    await store.set("c", "3", 60_000);
    expect(await store.getMany(["a", "b", "c"])).toEqual(["1", undefined, "3"]);
  });
});

function sharedBehaviour(name: string, makeStore: () => CacheStore) {
  describe(`${name}: read-through with generations`, () => {
    let store: CacheStore;
    beforeAll(async () => {
      store = makeStore();
      if (store instanceof RedisStore) expect(await store.whenReady()).toBe(true);
    });
    afterAll(() => store.close());

    it("serves the cached value until a dependency's generation is bumped", async () => {
      const dep = `member:${Math.random()}`;
      let balance = 10;
      const source = counter(() => ({ balance }));
      const read = () => readThrough({ key: `s:${dep}`, ttlMs: 30_000, dependsOn: [dep], load: source.load }, store);
      expect(await read()).toEqual({ balance: 10 });
      balance = 20;
      expect(await read()).toEqual({ balance: 10 });
      expect(source.calls).toBe(1);
      await bumpGenerations([dep], store);
      expect(await read()).toEqual({ balance: 20 });
      expect(await read()).toEqual({ balance: 20 });
      expect(source.calls).toBe(2);
    });

    it("never stores a value loaded before an invalidation under the new generation", async () => {
      const dep = `member:${Math.random()}`;
      let balance = 1;
      const read = (load: () => Promise<{ balance: number }>) => readThrough({ key: `r:${dep}`, ttlMs: 30_000, dependsOn: [dep], load }, store);
      // The reader loads the old balance, then the write commits and invalidates before it stores.
      const slow = read(async () => {
        const seen = { balance };
        balance = 2;
        await bumpGenerations([dep], store);
        return seen;
      });
      expect(await slow).toEqual({ balance: 1 });
      expect(await read(async () => ({ balance }))).toEqual({ balance: 2 });
    });
  });
}

sharedBehaviour("memory", () => new MemoryStore());
sharedBehaviour("redis", () => new RedisStore(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { keyPrefix: `t:${process.pid}:` }));

describe("redis TTL", () => {
  it("expires an entry after its TTL", async () => {
    const store = new RedisStore(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { keyPrefix: `t:${process.pid}:` });
    expect(await store.whenReady()).toBe(true);
    await store.set("ttl", "x", 150);
    expect(await store.get("ttl")).toBe("x");
    await new Promise((r) => setTimeout(r, 250));
    expect(await store.get("ttl")).toBeUndefined();
    await store.close();
  });
});

describe("redis counters", () => {
  it("increments every key of a large batch under the store's prefix, each with its TTL, in one call", async () => {
    const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
    const prefix = `t:${process.pid}:incr:`;
    const store = new RedisStore(url, { keyPrefix: prefix });
    expect(await store.whenReady()).toBe(true);
    const keys = Array.from({ length: 1_000 }, (_, i) => `gen:m:${i}`);
    await store.incr(keys, 60_000);
    await store.incr(keys.slice(0, 10), 60_000);
    const raw = new Redis(url);
    try {
      const values = await raw.mget(...keys.map((k) => prefix + k));
      expect(values.slice(0, 10)).toEqual(Array(10).fill("2"));
      expect(values.slice(10)).toEqual(Array(990).fill("1"));
      const ttls = await Promise.all([keys[0]!, keys[999]!].map((k) => raw.pttl(prefix + k)));
      for (const ttl of ttls) expect(ttl).toBeGreaterThan(50_000);
      await raw.del(...keys.map((k) => prefix + k));
    } finally {
      raw.disconnect();
      await store.close();
    }
  });
});

describe("when Redis is down", () => {
  let own: OwnRedis;
  beforeAll(async () => {
    own = await startOwnRedis();
  });
  afterAll(() => own.stop());

  it("keeps answering from the source after the server is killed, quickly and without throwing", async () => {
    const store = new RedisStore(own.url);
    expect(await store.whenReady()).toBe(true);
    let value = 1;
    const source = counter(() => value);
    const read = () => readThrough({ key: "down", ttlMs: 30_000, dependsOn: ["m:1"], load: source.load }, store);
    expect(await read()).toBe(1);
    expect(await read()).toBe(1);
    expect(source.calls).toBe(1);

    await own.stop();
    value = 2;
    await bumpGenerations(["m:1"], store);
    const started = Date.now();
    expect(await read()).toBe(2);
    expect(await read()).toBe(2);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(source.calls).toBe(3);
    await store.close();
  });

  it("works from the start against an address where no Redis listens", async () => {
    const store = new RedisStore(await deadRedisUrl());
    const source = counter(() => "from-db");
    expect(await readThrough({ key: "x", ttlMs: 1_000, load: source.load }, store)).toBe("from-db");
    expect(await readThrough({ key: "x", ttlMs: 1_000, load: source.load }, store)).toBe("from-db");
    expect(source.calls).toBe(2);
    await store.close();
  });
});
