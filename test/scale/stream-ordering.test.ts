import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, inArray, sql } from "drizzle-orm";
import type { Redis } from "ioredis";
import pino from "pino";
import { queryRows } from "@/db/client";
import { members, pointBalances } from "@/db/schema";
import { setCacheStore } from "@/lib/cache/cache";
import { MemoryStore } from "@/lib/cache/memory-store";
import { recordEvents } from "@/lib/loyalty/accrual/record-events";
import { ensureMember } from "@/lib/loyalty/members/ensure-member";
import { createStreamConsumer } from "@/lib/stream/consumer";
import { listDeadLetters } from "@/lib/stream/dead-letters";
import { createLease } from "@/lib/stream/lease";
import { publishEvents } from "@/lib/stream/producer";
import { runWorker } from "@/lib/stream/run-worker";
import { memberShard, shardLeaseKey, shardStream } from "@/lib/stream/shards";
import { createTestDatabase, type TestDatabase } from "../support/test-database";
import { pendingCount, spawnWorker, testRedis, uniqueStream, waitFor } from "./stream-support";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("per-member ordering through stream shards", () => {
  let t: TestDatabase;
  let redis: Redis;
  const keys: string[] = [];

  beforeAll(async () => {
    t = await createTestDatabase();
    redis = testRedis();
    await setCacheStore(new MemoryStore())?.close();
  });
  afterAll(async () => {
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await setCacheStore(undefined)?.close();
    await t.drop();
  });

  /** Every key a sharded stream uses, remembered for the cleanup. */
  function shardedStream(shards: number): string {
    const base = uniqueStream();
    keys.push(`${base}:dead`);
    for (let s = 0; s < shards; s++) keys.push(shardStream(base, s, shards), shardLeaseKey(shardStream(base, s, shards), "accrual"));
    return base;
  }

  async function deadLettersOf(base: string) {
    return (await listDeadLetters(t.db, { limit: 200 })).items.filter((l) => l.streamId.startsWith(base));
  }

  async function balancesOf(externalIds: string[]): Promise<Map<string, number>> {
    const rows = await t.db
      .select({ externalId: members.externalId, points: pointBalances.availablePoints })
      .from(members)
      .innerJoin(pointBalances, eq(pointBalances.memberId, members.id))
      .where(inArray(members.externalId, externalIds));
    return new Map(rows.map((r) => [r.externalId, Number(r.points)]));
  }

  /** Every entry of the stream read and acknowledged (applied or dead-lettered). */
  async function drained(stream: string): Promise<boolean> {
    const [group] = (await redis.xinfo("GROUPS", stream).catch(() => [])) as unknown[][];
    if (!group) return false;
    const field = (name: string) => Number(group[group.indexOf(name) + 1]);
    return field("lag") === 0 && field("pending") === 0;
  }

  /** A worker in this process as `npm run worker` builds it: its own pool and Redis connections. */
  function startWorker(name: string, base: string, shards: number[], shardCount: number) {
    const handle = t.connect(4);
    const leases = testRedis();
    const connections: Redis[] = [];
    const committedByShard = new Map<number, number>();
    const work = shards.map((shard) => {
      const stream = shardStream(base, shard, shardCount);
      const connection = testRedis();
      connections.push(connection);
      const consumer = createStreamConsumer({
        db: handle.db,
        redis: connection,
        consumer: name,
        stream,
        deadLetterStream: `${base}:dead`,
        batchSize: 25,
        blockMs: 100,
        apply: (events) => recordEvents(handle.db, events, { actor: "job:test" }),
        afterCommit: (count) => void committedByShard.set(shard, (committedByShard.get(shard) ?? 0) + count),
      });
      const lease = createLease(leases, { key: shardLeaseKey(stream, "accrual"), owner: `${name}-owner`, ttlMs: 5_000 });
      return { shard, consumer, lease };
    });
    const stop = new AbortController();
    const running = runWorker(work, { signal: stop.signal, log: pino({ level: "silent" }), blockMs: 100 });
    return {
      committedByShard,
      async stop() {
        stop.abort();
        await running;
        for (const c of [leases, ...connections]) c.disconnect();
      },
    };
  }

  it("two workers on disjoint shards apply every member's refunds after its purchases", { timeout: 60_000 }, async () => {
    const base = shardedStream(4);
    const ids = Array.from({ length: 120 }, (_, i) => `ord-${i}`);
    for (const externalId of ids) await ensureMember(t.db, { externalId });
    const events = ids.flatMap((id) => [
      { type: "purchase", memberExternalId: id, referenceId: `${id}-p1`, amountCents: 10_000 },
      { type: "refund", memberExternalId: id, referenceId: `${id}-r1`, originalReferenceId: `${id}-p1`, amountCents: 2_500 },
      { type: "purchase", memberExternalId: id, referenceId: `${id}-p2`, amountCents: 4_000 },
      { type: "refund", memberExternalId: id, referenceId: `${id}-r2`, originalReferenceId: `${id}-p1`, amountCents: 2_500 },
      { type: "refund", memberExternalId: id, referenceId: `${id}-r3`, originalReferenceId: `${id}-p2`, amountCents: 4_000 },
    ]);
    // A backlog, published member by member, that both workers drain at once in batches of 25: a
    // member's refund is in a later batch than its purchase, while the other shards' batches commit
    // in between. Routed by anything but the member, some refunds would be applied first.
    // Two poison events: one without a member (shard 0), one of an unknown member on another shard.
    const ghost = Array.from({ length: 20 }, (_, i) => `ghost-${i}`).find((id) => memberShard(id, 4) !== 0)!;
    const poison = [
      { type: "purchase", referenceId: "ord-nobody", amountCents: 100 },
      { type: "purchase", memberExternalId: ghost, referenceId: "ord-ghost", amountCents: 100 },
    ];
    await publishEvents(redis, [...events, ...poison], { stream: base, shards: 4 });
    const a = startWorker("wa", base, [0, 1], 4);
    const b = startWorker("wb", base, [2, 3], 4);
    try {
      await waitFor(async () => {
        for (let s = 0; s < 4; s++) if (!(await drained(shardStream(base, s, 4)))) return false;
        return true;
      }, 40_000);
    } finally {
      await a.stop();
      await b.stop();
    }

    // Nothing but the poison was dead-lettered, into the one dead-letter stream and the table.
    const letters = await deadLettersOf(base);
    expect(letters.map((l) => [l.streamId.split(":").slice(0, -1).join(":"), l.reason.split(":")[0]]).sort()).toEqual(
      [
        [shardStream(base, 0, 4), "validation_failed"],
        [shardStream(base, memberShard(ghost, 4), 4), "member_not_found"],
      ].sort(),
    );
    expect(await redis.xlen(`${base}:dead`)).toBe(2);
    const reversals = await queryRows<{ n: number }>(
      t.db,
      sql`SELECT count(*)::int AS n FROM point_transactions WHERE type = 'reverse' AND reference_id LIKE 'ord-%-r%'`,
    );
    expect(reversals[0]!.n).toBe(ids.length * 3);
    // 100 - 25 + 40 - 25 - 40 = 50 points each.
    expect([...(await balancesOf(ids)).values()]).toEqual(ids.map(() => 50));
    // Each worker applied its own shards only, and both did work.
    expect([...a.committedByShard.keys()].sort()).toEqual([0, 1]);
    expect([...b.committedByShard.keys()].sort()).toEqual([2, 3]);
    for (let s = 0; s < 4; s++) {
      const consumers = (await redis.xinfo("CONSUMERS", shardStream(base, s, 4), "accrual")) as unknown[][];
      expect(consumers.map((c) => c[1])).toEqual([s < 2 ? "wa" : "wb"]);
    }
  });

  it(
    "a second worker on the same shard applies nothing while the first holds the lease, then replays the first's pending batch before newer events",
    { timeout: 120_000 },
    async () => {
      const base = shardedStream(2);
      // Two members of shard 1.
      const [m1, m2] = Array.from({ length: 20 }, (_, i) => `take-${i}`).filter((id) => memberShard(id, 2) === 1);
      const first = (await ensureMember(t.db, { externalId: m1! })).member;
      await ensureMember(t.db, { externalId: m2! });
      const env = { EVENT_STREAM_SHARDS: "2" };
      const args = (consumer: string) => ["--stream", base, "--shards", "1", "--consumer", consumer, "--block-ms", "200", "--lease-ms", "3000"];
      const stream = shardStream(base, 1, 2);
      const lineOf = (lines: string[], msg: string) => lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === msg);
      const refs = async () =>
        (await queryRows<{ reference_id: string }>(t.db, sql`SELECT reference_id FROM point_transactions WHERE reference_id LIKE 'take-%' ORDER BY 1`)).map(
          (r) => r.reference_id,
        );

      const w1 = spawnWorker(t.url, args("w1"), env);
      await waitFor(async () => lineOf(w1.lines, "lease taken: replaying the shard's pending entries first"), 60_000);
      const w2 = spawnWorker(t.url, args("w2"), env);
      try {
        await waitFor(async () => lineOf(w2.lines, "shard leased by another worker: standing by"), 60_000);

        // Hold the first member's balance row, so w1's batch stays in flight, uncommitted.
        let unlock!: () => void;
        let locked!: () => void;
        const isLocked = new Promise<void>((resolve) => (locked = resolve));
        const holder = t.db.transaction(async (tx) => {
          await tx.execute(sql`SELECT 1 FROM point_balances WHERE member_id = ${first.id} FOR UPDATE`);
          locked();
          await new Promise<void>((resolve) => (unlock = resolve));
        });
        await isLocked;
        await publishEvents(redis, [{ type: "purchase", memberExternalId: m1!, referenceId: "take-p1", amountCents: 10_000 }], { stream: base, shards: 2 });
        await waitFor(async () => {
          const waiting = await queryRows<{ n: number }>(t.db, sql`SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND locktype = 'transactionid'`);
          return waiting[0]!.n > 0;
        });
        // Newer events of the shard: the refund of that purchase, and another member's purchase.
        await publishEvents(
          redis,
          [
            { type: "refund", memberExternalId: m1!, referenceId: "take-r1", originalReferenceId: "take-p1", amountCents: 5_000 },
            { type: "purchase", memberExternalId: m2!, referenceId: "take-q1", amountCents: 3_000 },
          ],
          { stream: base, shards: 2 },
        );
        await sleep(4_000); // longer than the lease TTL: w1 keeps renewing, w2 keeps standing by
        expect(await refs()).toEqual([]);
        expect(w2.lines.some((l) => l.includes('"msg":"committed"'))).toBe(false);
        const [pending] = (await redis.xpending(stream, "accrual")) as [number, string, string, [string, string][]];
        expect(pending).toBe(1); // w1's one batch in flight; nobody read the newer entries
        expect(await redis.xlen(stream)).toBe(3);

        w1.child.kill("SIGKILL");
        await w1.exited;
        unlock(); // w1's transaction dies with its connection: the purchase was never committed
        await holder;

        await waitFor(async () => (await refs()).length === 3 && (await pendingCount(redis, stream)) === 0, 60_000);
        expect(lineOf(w2.lines, "lease taken: replaying the shard's pending entries first")).toMatchObject({ shard: 1, claimed: 1 });
      } finally {
        w2.child.kill("SIGTERM");
        await w2.exited;
      }
      // Had w2 read the new entries before w1's pending purchase, the refund would be a dead letter.
      expect(await deadLettersOf(base)).toEqual([]);
      expect(await refs()).toEqual(["take-p1", "take-q1", "take-r1"]);
      expect(await balancesOf([m1!, m2!])).toEqual(
        new Map([
          [m1!, 50],
          [m2!, 30],
        ]),
      );
      expect(await redis.get(shardLeaseKey(stream, "accrual"))).toBeNull(); // released on SIGTERM
    },
  );
});
