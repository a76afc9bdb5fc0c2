import { describe, expect, it } from "vitest";
import { eq, isNull, sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import { campaigns, members, pointBalances, pointTransactions, tiers } from "@/db/schema";
import { recordEvent, recordEvents } from "@/lib/loyalty/accrual/record-events";
import type { LoyaltyEvent } from "@/lib/loyalty/accrual/event-input";
import { ACTOR, NOW, balanceOf, lotsOf, newMember, purchase, refund, useLedgerDatabase } from "../support/ledger";

const ctx = { ...ACTOR, now: NOW };

describe("recordEvents", () => {
  const t = useLedgerDatabase();

  it("awards 1 point per whole currency unit, as a lot expiring 12 months later", async () => {
    const m = await newMember(t.db, "acc-1");
    const result = await recordEvent(t.db, purchase("acc-1", "o-1", 12_345, "2026-01-31T10:00:00.000Z"), ctx);
    expect(result).toMatchObject({ points: 123, multiplier: 1, campaignId: null, duplicate: false });
    const [row] = await t.db.select().from(pointTransactions).where(eq(pointTransactions.id, result.transactionId!));
    expect(row).toMatchObject({ type: "earn", amount: 123, remaining: 123, spendAmount: 12_345, createdBy: "test:ledger" });
    expect(row!.expiresAt!.toISOString()).toBe("2027-01-31T10:00:00.000Z");
    expect(await balanceOf(t.db, m.id)).toBe(123);
    const [totals] = await t.db.select().from(pointBalances).where(eq(pointBalances.memberId, m.id));
    expect(totals!.totalEarned).toBe(123);
  });

  it("answers an identical replay with the first result, and refuses one with another payload (issue 9)", async () => {
    const m = await newMember(t.db, "acc-2");
    const first = await recordEvent(t.db, purchase("acc-2", "o-2", 5_000), ctx);
    const [same] = await recordEvents(t.db, [purchase("acc-2", "o-2", 5_000)], ctx);
    expect(same).toEqual({ ok: true, status: 200, result: { ...first, duplicate: true } });
    const [other] = await recordEvents(t.db, [purchase("acc-2", "o-2", 9_900)], ctx);
    expect(other).toMatchObject({ ok: false, status: 409, error: { error: "idempotency_conflict", field: "amountCents" } });
    expect(await balanceOf(t.db, m.id)).toBe(50);
  });

  it("keeps references with quotes, backslashes and braces intact (batches pass them as array literals)", async () => {
    await newMember(t.db, 'acc-"odd"\\{x,y}');
    const ref = 'o-"1"\\{a,b}NULL';
    const first = await recordEvent(t.db, purchase('acc-"odd"\\{x,y}', ref, 1_000), ctx);
    const [row] = await t.db.select().from(pointTransactions).where(eq(pointTransactions.id, first.transactionId!));
    expect(row!.referenceId).toBe(ref);
    expect(await recordEvent(t.db, purchase('acc-"odd"\\{x,y}', ref, 1_000), ctx)).toMatchObject({ duplicate: true });
  });

  it("refuses a reference already used for another member", async () => {
    await newMember(t.db, "acc-3");
    const [outcome] = await recordEvents(t.db, [purchase("acc-3", "o-2", 5_000)], ctx);
    expect(outcome).toMatchObject({ ok: false, status: 409, error: { error: "reference_conflict" } });
  });

  it("applies the highest live campaign and the tier bonus, with integer math", async () => {
    const m = await newMember(t.db, "acc-gold");
    await t.db.update(members).set({ tier: "gold" }).where(eq(members.id, m.id));
    await t.db.update(tiers).set({ earnMultiplier: 1.25 }).where(eq(tiers.code, "gold"));
    const window = { startsAt: new Date("2026-06-01T00:00:00Z"), endsAt: new Date("2026-07-01T00:00:00Z") };
    const [low] = await t.db
      .insert(campaigns)
      .values({ name: "1.5x", multiplier: 1.5, ...window })
      .returning();
    const [high] = await t.db
      .insert(campaigns)
      .values({ name: "2x", multiplier: 2, ...window, eventTypes: ["purchase"] })
      .returning();
    await t.db.insert(campaigns).values({ name: "paused 5x", multiplier: 5, ...window, pausedAt: NOW });
    await t.db.insert(campaigns).values({ name: "silver 4x", multiplier: 4, ...window, tiers: ["silver"] });
    const result = await recordEvent(t.db, purchase("acc-gold", "o-gold", 12_345), ctx);
    // 123 × (2 × 1.25) = 307.5 → 307
    expect(result).toMatchObject({ points: 307, multiplier: 2.5, campaignId: high!.id });
    const review = await recordEvent(t.db, { type: "review", memberExternalId: "acc-gold", referenceId: "r-1" }, ctx);
    expect(review).toMatchObject({ points: 75, multiplier: 1.5, campaignId: low!.id }); // no tier bonus outside purchases
    const outside = await recordEvent(t.db, purchase("acc-gold", "o-gold-old", 10_000, "2026-05-31T23:59:59.999Z"), ctx);
    expect(outside).toMatchObject({ points: 125, campaignId: null });
    await t.db.update(tiers).set({ earnMultiplier: 1 }).where(eq(tiers.code, "gold"));
    await t.db.update(campaigns).set({ archivedAt: NOW }).where(isNull(campaigns.archivedAt));
    expect(await balanceOf(t.db, m.id)).toBe(307 + 75 + 125);
  });

  it("keeps a zero-point purchase as a memo row so its replay is a duplicate and its spend counts", async () => {
    const m = await newMember(t.db, "acc-small");
    const first = await recordEvent(t.db, purchase("acc-small", "o-small", 99), ctx);
    expect(first).toMatchObject({ points: 0, duplicate: false });
    expect(first.transactionId).not.toBeNull();
    expect(await recordEvent(t.db, purchase("acc-small", "o-small", 99), ctx)).toEqual({ ...first, duplicate: true });
    const refunded = await recordEvent(t.db, refund("acc-small", "rf-small", "o-small", 99), ctx);
    expect(refunded).toMatchObject({ points: 0 });
    expect(await balanceOf(t.db, m.id)).toBe(0);
  });

  it("refunds proportionally on the cumulative amount, never more than the purchase earned", async () => {
    const m = await newMember(t.db, "acc-rf");
    await recordEvent(t.db, purchase("acc-rf", "o-rf", 1_000), ctx); // 10 points
    const parts = [];
    for (const [i, cents] of [333, 333, 334].entries()) parts.push((await recordEvent(t.db, refund("acc-rf", `rf-${i}`, "o-rf", cents), ctx)).points);
    expect(parts).toEqual([-3, -3, -4]);
    const [over] = await recordEvents(t.db, [refund("acc-rf", "rf-over", "o-rf", 1)], ctx);
    expect(over).toMatchObject({ ok: false, status: 422, error: { error: "refund_exceeds_purchase", field: "amountCents" } });
    const replay = await recordEvent(t.db, refund("acc-rf", "rf-0", "o-rf", 333), ctx);
    expect(replay).toMatchObject({ points: -3, duplicate: true });
    expect(await balanceOf(t.db, m.id)).toBe(0);
    const [row] = await queryRows<{ spend: string }>(t.db, sql`SELECT sum(spend_amount) AS spend FROM point_transactions WHERE member_id = ${m.id}`);
    expect(Number(row!.spend)).toBe(0);
  });

  it("refuses refunds of unknown purchases or of another member's purchase", async () => {
    await newMember(t.db, "acc-rf2");
    const outcomes = await recordEvents(t.db, [refund("acc-rf2", "rf-x", "no-such-order", 100), refund("acc-rf2", "rf-y", "o-rf", 100)], ctx);
    for (const o of outcomes) expect(o).toMatchObject({ ok: false, status: 422, error: { error: "original_not_found", field: "originalReferenceId" } });
  });

  it("lets a refund of spent points take the balance negative, and the next earn pays the debt first", async () => {
    const m = await newMember(t.db, "acc-debt");
    await recordEvent(t.db, purchase("acc-debt", "o-d1", 10_000), ctx); // 100
    await recordEvent(t.db, purchase("acc-debt", "o-d2", 5_000), ctx); // 50
    const { redeemPoints } = await import("@/lib/loyalty/redemption/redeem-points");
    await redeemPoints(t.db, { memberId: m.id, points: 120, referenceId: "red-debt" }, ctx);
    // 30 left, all in o-d2's lot; refunding o-d1 fully takes 100 → -70, never clamped.
    expect(await recordEvent(t.db, refund("acc-debt", "rf-d1", "o-d1", 10_000), ctx)).toMatchObject({ points: -100 });
    expect(await balanceOf(t.db, m.id)).toBe(-70);
    expect((await lotsOf(t.db, m.id)).map((l) => l.remaining)).toEqual([0, 0]);
    await recordEvent(t.db, purchase("acc-debt", "o-d3", 10_000), ctx);
    expect(await balanceOf(t.db, m.id)).toBe(30);
    expect((await lotsOf(t.db, m.id)).map((l) => l.remaining)).toEqual([0, 0, 30]);
  });

  it("answers each event of a batch on its own", async () => {
    await newMember(t.db, "acc-b");
    const outcomes = await recordEvents(
      t.db,
      [
        purchase("acc-b", "b-1", 2_000),
        purchase("nobody", "b-2", 2_000),
        { ...purchase("acc-b", "b-3", 2_000), amountCents: -5 },
        refund("acc-b", "b-rf", "b-1", 1_000), // refund of a purchase earlier in the same batch
        purchase("acc-b", "b-1", 2_000), // replay within the batch
        purchase("acc-b", "b-future", 100, new Date(NOW.getTime() + 10 * 60_000).toISOString()),
        { type: "referral", memberExternalId: "acc-b", referenceId: "ref-1" },
      ],
      ctx,
    );
    expect(outcomes.map((o) => o.status)).toEqual([201, 404, 400, 201, 200, 422, 201]);
    expect(outcomes[3]).toMatchObject({ ok: true, result: { points: -10 } });
    expect(outcomes[5]).toMatchObject({ error: { error: "unprocessable", field: "occurredAt" } });
    expect(outcomes[2]).toMatchObject({ error: { error: "validation_failed", field: "amountCents" } });
  });

  it("awards one login per UTC day, with the streak bonus on every 7th consecutive day", async () => {
    const m = await newMember(t.db, "acc-login");
    const login = (ref: string, iso: string): LoyaltyEvent => ({ type: "login", memberExternalId: "acc-login", referenceId: ref, occurredAt: iso });
    const days = ["01", "02", "03", "04", "05", "06", "07", "08"].map((d, i) => login(`l-${i}`, `2026-06-${d}T08:00:00.000Z`));
    const outcomes = await recordEvents(t.db, [...days.slice(0, 3), login("l-same-day", "2026-06-03T23:00:00.000Z")], ctx);
    expect(outcomes.map((o) => (o.ok ? o.result.points : o.status))).toEqual([10, 10, 10, 0]);
    expect(outcomes[3]).toMatchObject({ status: 200, result: { alreadyCheckedIn: true, transactionId: null } });
    const rest = [];
    for (const e of days.slice(3)) rest.push((await recordEvent(t.db, e, ctx)).points);
    expect(rest).toEqual([10, 10, 10, 60, 10]);
    const gap = await recordEvent(t.db, login("l-gap", "2026-06-10T08:00:00.000Z"), ctx);
    expect(gap.points).toBe(10);
    expect(await balanceOf(t.db, m.id)).toBe(10 * 8 + 60); // 8 logins of 10, the 7th day 10 + 50
  });

  it("records the same event sent 100 times concurrently exactly once", async () => {
    const m = await newMember(t.db, "acc-race");
    const pool = t.connect(12);
    const outcomes = await Promise.all(Array.from({ length: 100 }, () => recordEvents(pool.db, [purchase("acc-race", "o-race", 4_200)], ctx)));
    const statuses = outcomes.map(([o]) => o!.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(99);
    const ids = new Set(outcomes.map(([o]) => (o!.ok ? o!.result.transactionId : null)));
    expect(ids.size).toBe(1);
    const [count] = await queryRows<{ n: number }>(t.db, sql`SELECT count(*)::int AS n FROM point_transactions WHERE reference_id = 'o-race'`);
    expect(count!.n).toBe(1);
    expect(await balanceOf(t.db, m.id)).toBe(42);
  });

  it("gives a reference raced for by two members to exactly one of them", async () => {
    await newMember(t.db, "acc-ra");
    await newMember(t.db, "acc-rb");
    const pool = t.connect(10);
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) => recordEvents(pool.db, [purchase(i % 2 ? "acc-ra" : "acc-rb", "o-contested", 1_000)], ctx)),
    );
    const statuses = outcomes.map(([o]) => o!.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(9);
    expect(statuses.filter((s) => s === 409)).toHaveLength(10);
  });

  it("gives refund and login references raced for by two members to one batch, the others replaying or refused whole", async () => {
    const a = await newMember(t.db, "acc-fa");
    const b = await newMember(t.db, "acc-fb");
    await recordEvents(t.db, [purchase("acc-fa", "fp-a", 10_000), purchase("acc-fb", "fp-b", 10_000)], ctx);
    const pool = t.connect(10);
    // The writes of a batch are pipelined: a loser's allocation and check-in rows point at ledger rows
    // its insert skipped, and that must end in a retry (then a conflict), never in an error.
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) => {
        const [member, original] = i % 2 ? ["acc-fa", "fp-a"] : ["acc-fb", "fp-b"];
        return recordEvents(
          pool.db,
          [refund(member, "rf-contested", original, 4_000), { type: "login", memberExternalId: member, referenceId: "lg-contested" }],
          ctx,
        );
      }),
    );
    const pairs = outcomes.map((o) => o.map((e) => e.status).join("/")).sort();
    expect(pairs.filter((p) => p === "201/201")).toHaveLength(1);
    expect(pairs.filter((p) => p === "200/200")).toHaveLength(9);
    expect(pairs.filter((p) => p === "409/409")).toHaveLength(10);
    const balances = [await balanceOf(t.db, a.id), await balanceOf(t.db, b.id)].sort((x, y) => x - y);
    expect(balances).toEqual([70, 100]);
  });

  it("runs overlapping batches concurrently without deadlock, every event counted once", async () => {
    const ids = [];
    for (let i = 0; i < 10; i++) ids.push((await newMember(t.db, `acc-ov-${i}`)).id);
    const pool = t.connect(8);
    const batches = Array.from({ length: 8 }, (_, b) =>
      // Each batch touches every member, in a different order, so unordered locking would deadlock.
      Array.from({ length: 50 }, (_, i) => purchase(`acc-ov-${(i * (b + 3)) % 10}`, `ov-${b}-${i}`, 100)),
    );
    const outcomes = (await Promise.all(batches.map((batch) => recordEvents(pool.db, batch, ctx)))).flat();
    expect(outcomes.every((o) => o.status === 201)).toBe(true);
    const balances = await Promise.all(ids.map((id) => balanceOf(t.db, id)));
    expect(balances.reduce((a, b) => a + b, 0)).toBe(400);
  });
});
