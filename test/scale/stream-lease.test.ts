import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import type { Redis } from "ioredis";
import pino from "pino";
import { queryRows } from "@/db/client";
import { recordEvents } from "@/lib/loyalty/accrual/record-events";
import { ensureMember } from "@/lib/loyalty/members/ensure-member";
import { createStreamConsumer } from "@/lib/stream/consumer";
import { createLease } from "@/lib/stream/lease";
import { publishEvents } from "@/lib/stream/producer";
import { runShard } from "@/lib/stream/run-worker";
import { createTestDatabase, type TestDatabase } from "../support/test-database";
import { pendingCount, testRedis, uniqueStream, waitFor } from "./stream-support";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("shard lease", () => {
  let redis: Redis;
  const keys: string[] = [];
  const leaseKey = () => {
    keys.push(`${uniqueStream()}:lease:accrual`);
    return keys.at(-1)!;
  };
  beforeAll(() => {
    redis = testRedis();
  });
  afterAll(async () => {
    await redis.del(...keys);
    redis.disconnect();
  });

  it("has one holder at a time; the holder may take it again, another may not", async () => {
    const key = leaseKey();
    const a = createLease(redis, { key, owner: "a", ttlMs: 5_000 });
    const b = createLease(redis, { key, owner: "b", ttlMs: 5_000 });
    try {
      expect(await a.acquire()).toBe(true);
      expect(await b.acquire()).toBe(false);
      expect(await a.acquire()).toBe(true);
      expect(a.remainingMs()).toBeGreaterThan(3_000);
      expect(a.remainingMs()).toBeLessThanOrEqual(4_000); // relied on for 4/5 of the TTL only
      expect(b.remainingMs()).toBe(0);
      await b.release(); // not b's: changes nothing
      expect(await redis.get(key)).toBe("a");
      await a.release();
      expect(await redis.get(key)).toBeNull();
      expect(await b.acquire()).toBe(true);
    } finally {
      await a.release();
      await b.release();
    }
  });

  it("is renewed while its holder lives, well past its TTL", async () => {
    const key = leaseKey();
    const a = createLease(redis, { key, owner: "a", ttlMs: 600 });
    const b = createLease(redis, { key, owner: "b", ttlMs: 600 });
    try {
      expect(await a.acquire()).toBe(true);
      await sleep(1_500);
      expect(await b.acquire()).toBe(false);
      expect(a.remainingMs()).toBeGreaterThan(0);
    } finally {
      await a.release();
    }
  });

  it("goes to a standby once a dead holder's lease expires", async () => {
    const key = leaseKey();
    await redis.set(key, "dead-worker", "PX", 300); // a holder that will never renew
    const b = createLease(redis, { key, owner: "b", ttlMs: 5_000 });
    try {
      expect(await b.acquire()).toBe(false);
      await sleep(400);
      expect(await b.acquire()).toBe(true);
    } finally {
      await b.release();
    }
  });

  it("is lost at the next renewal once another owns the key, and never renewed or released over them", async () => {
    const key = leaseKey();
    const a = createLease(redis, { key, owner: "a", ttlMs: 600 });
    expect(await a.acquire()).toBe(true);
    await redis.set(key, "other", "PX", 60_000); // as if a's lease had expired and another took it
    await waitFor(async () => a.remainingMs() === 0, 2_000);
    await sleep(300);
    await a.release();
    expect(await redis.get(key)).toBe("other");
    expect(await redis.pttl(key)).toBeGreaterThan(50_000); // a's renewals did not touch it
  });
});

describe("a shard whose lease is lost", () => {
  let t: TestDatabase;
  let redis: Redis;
  let reader: Redis;
  const stream = uniqueStream();
  const key = `${stream}:lease:accrual`;

  beforeAll(async () => {
    t = await createTestDatabase();
    redis = testRedis();
    reader = testRedis();
    await ensureMember(t.db, { externalId: "lease-m1" });
  });
  afterAll(async () => {
    await redis.del(stream, `${stream}:dead`, key);
    redis.disconnect();
    reader.disconnect();
    await t.drop();
  });

  const refs = async () =>
    (await queryRows<{ reference_id: string }>(t.db, sql`SELECT reference_id FROM point_transactions ORDER BY reference_id`)).map((r) => r.reference_id);
  const purchase = (ref: string) => ({ type: "purchase", memberExternalId: "lease-m1", referenceId: ref, amountCents: 1_000 });

  it("stops being read before the next batch, and is read again once the lease is won back", { timeout: 30_000 }, async () => {
    const consumer = createStreamConsumer({
      db: t.db,
      redis: reader,
      stream,
      consumer: "c1",
      blockMs: 100,
      apply: (events) => recordEvents(t.db, events, { actor: "job:test" }),
    });
    const lease = createLease(redis, { key, owner: "c1-owner", ttlMs: 600 });
    const stop = new AbortController();
    const running = runShard({ shard: 0, consumer, lease }, { signal: stop.signal, log: pino({ level: "silent" }), blockMs: 100 });
    try {
      await publishEvents(redis, [purchase("l1")], { stream, shards: 1 });
      await waitFor(async () => (await refs()).includes("l1"), 10_000);

      await redis.set(key, "intruder", "PX", 60_000);
      await waitFor(async () => lease.remainingMs() === 0, 2_000);
      await sleep(300); // a read already waiting for new entries returns (blockMs)
      await publishEvents(redis, [purchase("l2")], { stream, shards: 1 });
      await sleep(1_000);
      expect(await refs()).toEqual(["l1"]);
      expect(await pendingCount(redis, stream)).toBe(0); // not even read

      await redis.del(key); // the intruder is gone: c1 stands by and takes the shard back
      await waitFor(async () => (await refs()).includes("l2"), 10_000);
      expect(await redis.get(key)).toBe("c1-owner");
    } finally {
      stop.abort();
      await running;
    }
    expect(await redis.get(key)).toBeNull(); // released on a clean stop
  });
});
