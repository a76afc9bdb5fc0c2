import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import type { Redis } from "ioredis";
import { queryRows } from "@/db/client";
import { pointBalances, pointTransactions } from "@/db/schema";
import { recordEvents } from "@/lib/loyalty/accrual/record-events";
import type { LoyaltyEvent } from "@/lib/loyalty/accrual/event-input";
import { ensureMember } from "@/lib/loyalty/members/ensure-member";
import { createStreamConsumer, type ApplyEvents } from "@/lib/stream/consumer";
import { listDeadLetters } from "@/lib/stream/dead-letters";
import { publishEvents } from "@/lib/stream/producer";
import { createTestDatabase, type TestDatabase } from "../support/test-database";
import { pendingCount, testRedis, uniqueStream } from "./stream-support";

describe("stream consumer", () => {
  let t: TestDatabase;
  let redis: Redis;
  const streams: string[] = [];
  let memberId: number;

  beforeAll(async () => {
    t = await createTestDatabase();
    redis = testRedis();
    memberId = (await ensureMember(t.db, { externalId: "stream-m1" })).member.id;
  });
  afterAll(async () => {
    for (const s of streams) await redis.del(s, `${s}:dead`);
    redis.disconnect();
    await t.drop();
  });

  const apply: ApplyEvents = (events) => recordEvents(t.db, events, { actor: "job:test" });
  function consumerFor(stream: string, overrides: Partial<Parameters<typeof createStreamConsumer>[0]> = {}) {
    streams.push(stream);
    return createStreamConsumer({
      db: t.db,
      redis,
      stream,
      deadLetterStream: `${stream}:dead`,
      consumer: "c1",
      apply,
      blockMs: 100,
      ...overrides,
    });
  }
  const purchase = (ref: string, amountCents = 12_345): LoyaltyEvent => ({
    type: "purchase",
    memberExternalId: "stream-m1",
    referenceId: ref,
    amountCents,
  });
  async function rowsFor(refs: string[]) {
    return queryRows<{ reference_id: string; amount: string }>(
      t.db,
      sql`SELECT reference_id, amount FROM point_transactions WHERE reference_id IN ${refs} ORDER BY reference_id`,
    );
  }

  it("applies a batch in one call and acknowledges only after the commit", async () => {
    const stream = uniqueStream();
    const seen: { pending: number; committedRows: number }[] = [];
    const consumer = consumerFor(stream, {
      afterCommit: async () => {
        seen.push({ pending: await pendingCount(redis, stream), committedRows: (await rowsFor(["a1", "a2", "a3"])).length });
      },
    });
    await consumer.ensureGroup();
    await publishEvents(redis, [purchase("a1"), purchase("a2"), purchase("a3")], { stream });
    const outcome = await consumer.runOnce();
    expect(outcome).toEqual({ read: 3, applied: 3, deadLettered: 0, retried: 0 });
    // At the hook the rows were committed (visible from another connection) and nothing was acked yet.
    expect(seen).toEqual([{ pending: 3, committedRows: 3 }]);
    expect(await pendingCount(redis, stream)).toBe(0);
  });

  it("sends poison events to the dead-letter stream and table and carries on with the rest", async () => {
    const stream = uniqueStream();
    const consumer = consumerFor(stream);
    await consumer.ensureGroup();
    await publishEvents(
      redis,
      [
        { type: "purchase", memberExternalId: "stream-m1", referenceId: "p1" }, // no amount
        { ...purchase("p2"), memberExternalId: "nobody" },
        purchase("p3"),
      ],
      { stream },
    );
    await redis.xadd(stream, "*", "event", "{not json");
    const outcome = await consumer.runOnce();
    expect(outcome).toMatchObject({ read: 4, applied: 1, deadLettered: 3, retried: 0 });
    expect(await pendingCount(redis, stream)).toBe(0);
    expect((await rowsFor(["p1", "p2", "p3"])).map((r) => r.reference_id)).toEqual(["p3"]);

    const { items } = await listDeadLetters(t.db, { limit: 10 });
    const reasons = items
      .filter((i) => i.streamId.startsWith(stream))
      .map((i) => i.reason.split(":")[0])
      .sort();
    expect(reasons).toEqual(["invalid_json", "member_not_found", "validation_failed"]);
    expect(await redis.xlen(`${stream}:dead`)).toBe(3);
  });

  it("dead-letters a replayed reference with another payload as idempotency_conflict, and applies the identical replay as a duplicate", async () => {
    const stream = uniqueStream();
    const consumer = consumerFor(stream);
    await consumer.ensureGroup();
    await publishEvents(redis, [purchase("ic-1", 10_000), purchase("ic-1", 10_000), purchase("ic-1", 20_000)], { stream });
    const outcome = await consumer.runOnce();
    expect(outcome).toMatchObject({ read: 3, deadLettered: 1, retried: 0 });
    expect((await rowsFor(["ic-1"])).map((r) => Number(r.amount))).toEqual([100]);
    const { items } = await listDeadLetters(t.db, { limit: 10 });
    expect(items.filter((i) => i.streamId.startsWith(stream)).map((i) => i.reason.split(":")[0])).toEqual(["idempotency_conflict"]);
  });

  it("pages dead letters newest first with an opaque cursor", async () => {
    const first = await listDeadLetters(t.db, { limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    const second = await listDeadLetters(t.db, { limit: 2, cursor: first.nextCursor });
    expect(second.items[0]!.id).toBeLessThan(first.items[1]!.id);
  });

  it("leaves a failed batch pending and replays it on the next read, awarding once", async () => {
    const stream = uniqueStream();
    let failNext = true;
    const consumer = consumerFor(stream, {
      apply: async (events) => {
        const results = await apply(events);
        if (failNext) {
          failNext = false;
          throw new Error("crash after commit");
        }
        return results;
      },
    });
    await consumer.ensureGroup();
    await publishEvents(redis, [purchase("r1"), purchase("r1"), purchase("r2")], { stream });
    const before = (await t.db.select().from(pointBalances).where(eq(pointBalances.memberId, memberId)))[0]!.availablePoints;
    await expect(consumer.runOnce()).rejects.toThrow("crash after commit");
    expect(await pendingCount(redis, stream)).toBe(3);

    const outcome = await consumer.runOnce();
    expect(outcome).toMatchObject({ read: 3, applied: 3, retried: 0 });
    expect(await pendingCount(redis, stream)).toBe(0);
    expect((await rowsFor(["r1", "r2"])).map((r) => [r.reference_id, Number(r.amount)])).toEqual([
      ["r1", 123],
      ["r2", 123],
    ]);
    const after = (await t.db.select().from(pointBalances).where(eq(pointBalances.memberId, memberId)))[0]!.availablePoints;
    expect(after - before).toBe(246);
  });

  it("takes over entries a dead consumer read but never acknowledged", async () => {
    const stream = uniqueStream();
    const dead = consumerFor(stream, { consumer: "dead" });
    await dead.ensureGroup();
    await publishEvents(redis, [purchase("x1")], { stream });
    await redis.xreadgroup("GROUP", "accrual", "dead", "COUNT", 10, "STREAMS", stream, ">");
    expect(await pendingCount(redis, stream)).toBe(1);

    const heir = consumerFor(stream, { consumer: "heir", claimIdleMs: 50 });
    await new Promise((r) => setTimeout(r, 100));
    const outcome = await heir.runOnce(50);
    expect(outcome).toMatchObject({ read: 1, applied: 1 });
    expect(await pendingCount(redis, stream)).toBe(0);
    expect(await t.db.$count(pointTransactions, eq(pointTransactions.referenceId, "x1"))).toBe(1);
  });

  it("retries an event whose outcome is a transient failure, then dead-letters it after maxDeliveries", async () => {
    const stream = uniqueStream();
    const consumer = consumerFor(stream, {
      maxDeliveries: 3,
      apply: async (events) => {
        const results = await apply(events.filter((e) => e.referenceId !== "flaky"));
        return events.map((e) =>
          e.referenceId === "flaky" ? { ok: false as const, status: 503, error: { error: "unavailable", message: "try later" } } : results.shift()!,
        );
      },
    });
    await consumer.ensureGroup();
    await publishEvents(redis, [purchase("flaky"), purchase("steady")], { stream });
    expect(await consumer.runOnce()).toMatchObject({ read: 2, applied: 1, retried: 1, deadLettered: 0 });
    expect(await pendingCount(redis, stream)).toBe(1);
    expect(await consumer.runOnce()).toMatchObject({ read: 1, retried: 1 });
    expect(await consumer.runOnce()).toMatchObject({ read: 1, retried: 0, deadLettered: 1 });
    expect(await pendingCount(redis, stream)).toBe(0);
    const { items } = await listDeadLetters(t.db, { limit: 50 });
    expect(items.find((i) => i.streamId.startsWith(stream))?.reason).toBe("gave_up after 3 deliveries: unavailable: try later");
  });
});
