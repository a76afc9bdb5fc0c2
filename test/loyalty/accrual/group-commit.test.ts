import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq, like } from "drizzle-orm";
import { pointBalances, pointTransactions } from "@/db/schema";
import { recordEvents, type EventOutcome } from "@/lib/loyalty/accrual/record-events";
import type { LoyaltyEvent } from "@/lib/loyalty/accrual/event-input";
import { createGroupCommitter, recordEventGrouped, type FlushEvents } from "@/lib/loyalty/accrual/group-commit";
import { ensureMember } from "@/lib/loyalty/members/ensure-member";
import { createTestDatabase, type TestDatabase } from "../../support/test-database";

describe("group commit", () => {
  let t: TestDatabase;
  const memberIds: number[] = [];

  beforeAll(async () => {
    t = await createTestDatabase({ poolMax: 10 });
    for (let i = 0; i < 5; i++) memberIds.push((await ensureMember(t.db, { externalId: `gc-${i}` })).member.id);
  });
  afterAll(() => t.drop());

  const ctx = { actor: "api:test" };
  // Member 4 is only used by the actors test.
  const purchase = (member: number, ref: string, amountCents: number): LoyaltyEvent => ({
    type: "purchase",
    memberExternalId: `gc-${member}`,
    referenceId: ref,
    amountCents,
  });
  function countingFlush() {
    const sizes: number[] = [];
    const flush: FlushEvents = (events, c) => {
      sizes.push(events.length);
      return recordEvents(t.db, events, c);
    };
    return { flush, sizes };
  }
  const points = (outcome: EventOutcome) => (outcome.ok ? outcome.result.points : undefined);

  it("coalesces concurrent callers into few transactions, each caller getting its own result", async () => {
    const { flush, sizes } = countingFlush();
    const committer = createGroupCommitter({ flush, maxDelayMs: 2 });
    const events = Array.from({ length: 60 }, (_, i) => purchase(i % 4, `co-${i}`, (i + 1) * 100));
    const outcomes = await Promise.all(events.map((e) => committer.submit(e, ctx)));
    expect(outcomes.map(points)).toEqual(events.map((_, i) => i + 1));
    expect(outcomes.every((o) => o.status === 201)).toBe(true);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(60);
    expect(sizes.length).toBeLessThanOrEqual(5);
    const ids = outcomes.map((o) => (o.ok ? o.result.transactionId : 0));
    expect(new Set(ids).size).toBe(60);
  });

  it("answers duplicates inside one flush once as new and the rest as duplicates, writing one row", async () => {
    const { flush, sizes } = countingFlush();
    const committer = createGroupCommitter({ flush, maxDelayMs: 5 });
    const [balanceBefore] = await t.db.select().from(pointBalances).where(eq(pointBalances.memberId, memberIds[0]!));
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => committer.submit(purchase(0, "dup-1", 5_000), ctx)));
    expect(sizes).toEqual([10]);
    expect(outcomes.filter((o) => o.status === 201)).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === 200 && o.ok && o.result.duplicate)).toHaveLength(9);
    const ids = new Set(outcomes.map((o) => (o.ok ? o.result.transactionId : 0)));
    expect(ids.size).toBe(1);
    expect(await t.db.$count(pointTransactions, eq(pointTransactions.referenceId, "dup-1"))).toBe(1);
    const [balanceAfter] = await t.db.select().from(pointBalances).where(eq(pointBalances.memberId, memberIds[0]!));
    expect(balanceAfter!.availablePoints - balanceBefore!.availablePoints).toBe(50);
  });

  it("isolates a bad event: unknown member and invalid payload fail alone", async () => {
    const committer = createGroupCommitter({ flush: (e, c) => recordEvents(t.db, e, c), maxDelayMs: 5 });
    const outcomes = await Promise.all([
      committer.submit(purchase(1, "iso-1", 1_000), ctx),
      committer.submit({ ...purchase(1, "iso-2", 1_000), memberExternalId: "gc-nobody" }, ctx),
      committer.submit({ ...purchase(1, "iso-3", 1_000), amountCents: -5 } as LoyaltyEvent, ctx),
      committer.submit(purchase(2, "iso-4", 2_000), ctx),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual([201, 404, 400, 201]);
    expect(outcomes.map(points)).toEqual([10, undefined, undefined, 20]);
  });

  it("when a whole batch throws, retries each event alone so only the culprit fails", async () => {
    const sizes: number[] = [];
    const committer = createGroupCommitter({
      maxDelayMs: 5,
      flush: async (events, c) => {
        sizes.push(events.length);
        if (events.some((e) => e.referenceId === "boom")) throw new Error("connection reset");
        return recordEvents(t.db, events, c);
      },
    });
    const results = await Promise.allSettled([
      committer.submit(purchase(3, "ok-1", 1_000), ctx),
      committer.submit(purchase(3, "boom", 1_000), ctx),
      committer.submit(purchase(3, "ok-2", 1_000), ctx),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(sizes).toEqual([3, 1, 1, 1]);
    expect(await t.db.$count(pointTransactions, like(pointTransactions.referenceId, "ok-%"))).toBe(2);
    expect(await t.db.$count(pointTransactions, eq(pointTransactions.referenceId, "boom"))).toBe(0);
  });

  it("keeps actors apart and grows batches while flushes are in flight", async () => {
    const { flush, sizes } = countingFlush();
    const committer = createGroupCommitter({ flush, maxDelayMs: 1, maxConcurrentFlushes: 1, maxBatch: 1000 });
    const first = Array.from({ length: 5 }, (_, i) => committer.submit(purchase(4, `ac-a-${i}`, 100), { actor: "api:a" }));
    const second = Array.from({ length: 5 }, (_, i) => committer.submit(purchase(4, `ac-b-${i}`, 100), { actor: "api:b" }));
    await Promise.all([...first, ...second]);
    await committer.drained();
    expect(sizes).toEqual([5, 5]);
    const actors = await t.db
      .selectDistinct({ by: pointTransactions.createdBy })
      .from(pointTransactions)
      .where(and(eq(pointTransactions.memberId, memberIds[4]!), like(pointTransactions.referenceId, "ac-%")));
    expect(actors.map((a) => a.by).sort()).toEqual(["api:a", "api:b"]);
  });

  it("recordEventGrouped gives the single-event outcome", async () => {
    const outcome = await recordEventGrouped(t.db, purchase(2, "single-1", 12_345), ctx);
    expect(outcome).toMatchObject({ ok: true, status: 201, result: { points: 123, duplicate: false } });
    const replay = await recordEventGrouped(t.db, purchase(2, "single-1", 12_345), ctx);
    expect(replay).toMatchObject({ ok: true, status: 200, result: { points: 123, duplicate: true } });
  });
});
