import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Redis } from "ioredis";
import { publishEvents } from "@/lib/stream/producer";
import { eventShard, fnv1a32, memberShard, parseShardList, shardStream } from "@/lib/stream/shards";
import { testRedis, uniqueStream } from "./stream-support";

describe("stream shards", () => {
  it("hashes with FNV-1a 32-bit over UTF-8 (published vectors, so other producers can check theirs)", () => {
    expect(fnv1a32("")).toBe(0x811c9dc5);
    expect(fnv1a32("a")).toBe(0xe40c292c);
    expect(fnv1a32("foobar")).toBe(0xbf9cf968);
    expect(fnv1a32("cust-42")).toBe(0x53bff3fb);
    expect(fnv1a32("müller-7")).toBe(0xbc3b9fbc); // two bytes for ü
    expect(memberShard("cust-42", 4)).toBe(3);
    expect(memberShard("cust-42", 16)).toBe(11);
    expect(memberShard("  cust-42 ", 4)).toBe(3); // trimmed, as the API stores the id
    expect(memberShard("cust-42", 1)).toBe(0);
  });

  it("spreads members evenly over the shards", () => {
    for (const shards of [4, 16]) {
      const counts = new Array<number>(shards).fill(0);
      for (let i = 0; i < 20_000; i++) counts[memberShard(`member-${i}`, shards)]!++;
      const expected = 20_000 / shards;
      for (const count of counts) expect(Math.abs(count - expected) / expected).toBeLessThan(0.1);
    }
  });

  it("sends an event without a string member id to shard 0", () => {
    expect(eventShard({ memberExternalId: 42 }, 8)).toBe(0);
    expect(eventShard(null, 8)).toBe(0);
    expect(eventShard({ memberExternalId: "cust-42" }, 4)).toBe(3);
  });

  it("keeps the base stream with one shard and never names a shard like the dead-letter stream", () => {
    expect(shardStream("loyalty:events", 0, 1)).toBe("loyalty:events");
    const names = Array.from({ length: 64 }, (_, i) => shardStream("loyalty:events", i, 64));
    expect(new Set(names).size).toBe(64);
    expect(names).not.toContain("loyalty:events:dead");
    expect(names[5]).toBe("loyalty:events:shard:5");
  });

  it("reads a --shards list, refusing what is not a shard", () => {
    expect(parseShardList(undefined, 3)).toEqual([0, 1, 2]);
    expect(parseShardList("2, 0", 4)).toEqual([2, 0]);
    expect(() => parseShardList("4", 4)).toThrow('"4" is not a shard between 0 and 3');
    expect(() => parseShardList("1,x", 4)).toThrow('"x" is not a shard');
    expect(() => parseShardList("", 4)).toThrow("is not a shard");
    expect(() => parseShardList("-1", 4)).toThrow("is not a shard");
    expect(() => parseShardList("1,1", 4)).toThrow("names a shard twice");
  });

  describe("publishEvents", () => {
    let redis: Redis;
    const base = uniqueStream();
    const keys = [base, ...Array.from({ length: 4 }, (_, i) => shardStream(base, i, 4))];
    beforeAll(() => {
      redis = testRedis();
    });
    afterAll(async () => {
      await redis.del(...keys);
      redis.disconnect();
    });

    it("appends each event to its member's shard, in publishing order", async () => {
      const events = Array.from({ length: 40 }, (_, i) => ({
        type: "purchase",
        memberExternalId: `pub-${i % 10}`,
        referenceId: `pub-ref-${i}`,
        amountCents: 100,
      }));
      await publishEvents(redis, [...events, { type: "purchase", referenceId: "no-member" }], { stream: base, shards: 4 });
      expect(await redis.exists(base)).toBe(0);
      for (let shard = 0; shard < 4; shard++) {
        const entries = await redis.xrange(shardStream(base, shard, 4), "-", "+");
        const refs = entries.map(([, fields]) => JSON.parse(fields[1]!).referenceId as string);
        const mine = events.filter((e) => memberShard(e.memberExternalId, 4) === shard).map((e) => e.referenceId);
        expect(refs).toEqual(shard === 0 ? [...mine, "no-member"] : mine);
      }
    });
  });
});
