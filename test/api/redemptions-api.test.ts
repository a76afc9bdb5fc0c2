import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { pointTransactions, rewards } from "@/db/schema";
import { POST as recordEvent } from "@/app/api/v1/events/route";
import { POST as createMember } from "@/app/api/v1/members/route";
import { GET as getMember } from "@/app/api/v1/members/[externalId]/route";
import { POST as redeem } from "@/app/api/v1/members/[externalId]/redemptions/route";
import { redemptionResultSchema } from "@/lib/http/schemas";
import { call, createApiHarness, expectError, writtenRows, type ApiHarness } from "./api-harness";

describe("POST /api/v1/members/{externalId}/redemptions", () => {
  let h: ApiHarness;
  const send = (body: unknown, externalId = "cust-r") =>
    call(redeem, `/api/v1/members/${externalId}/redemptions`, { key: h.key, body, params: { externalId } });
  const available = async () => (await call(getMember, "/api/v1/members/cust-r", { key: h.key, params: { externalId: "cust-r" } })).body.availablePoints;

  beforeAll(async () => {
    h = await createApiHarness();
    await call(createMember, "/api/v1/members", { key: h.key, body: { externalId: "cust-r" } });
    const earn = await call(recordEvent, "/api/v1/events", {
      key: h.key,
      body: { type: "purchase", memberExternalId: "cust-r", referenceId: "o-1", amountCents: 100_000 },
    });
    expect(earn.body.points).toBe(1000);
  });
  afterAll(() => h.close());

  it("redeems (201) and answers the new balance", async () => {
    const result = await send({ points: 300, referenceId: "red-1" });
    expect(result.status).toBe(201);
    expect(redemptionResultSchema.parse(result.body)).toMatchObject({ points: 300, availablePoints: 700, duplicate: false });
    expect(await available()).toBe(700);
  });

  it("answers a replay with 200 and the first result, redeeming nothing more", async () => {
    const first = await send({ points: 100, referenceId: "red-2" });
    const before = await writtenRows(h.t);
    const replay = await send({ points: 100, referenceId: "red-2" });
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual({ ...first.body, duplicate: true });
    expect(await writtenRows(h.t)).toEqual(before);
  });

  it("refuses more points than available with 409 insufficient_points, writing nothing", async () => {
    const before = await writtenRows(h.t);
    const result = await send({ points: 601, referenceId: "red-3" });
    expect([result.status, result.body.error]).toEqual([409, "insufficient_points"]);
    expect(await writtenRows(h.t)).toEqual(before);
    expect(await available()).toBe(600);
  });

  it("answers 404 for an unknown member, writing nothing", async () => {
    const before = await writtenRows(h.t);
    const result = await send({ points: 1, referenceId: "red-4" }, "nobody");
    expect([result.status, result.body.error]).toEqual([404, "member_not_found"]);
    expect(await writtenRows(h.t)).toEqual(before);
  });

  it.each([
    ["zero points", { points: 0, referenceId: "bad-1" }, 400, "validation_failed", "points"],
    ["negative points", { points: -50, referenceId: "bad-2" }, 400, "validation_failed", "points"],
    ["fractional points", { points: 1.5, referenceId: "bad-3" }, 400, "validation_failed", "points"],
    ["absurd points (10^12)", { points: 1e12, referenceId: "bad-4" }, 400, "validation_failed", "points"],
    ["points as a string", { points: "5", referenceId: "bad-5" }, 400, "validation_failed", "points"],
    ["no referenceId", { points: 5 }, 400, "validation_failed", "referenceId"],
    ["a 10 KB referenceId", { points: 5, referenceId: "r".repeat(10_240) }, 400, "validation_failed", "referenceId"],
    ["an unknown field", { points: 5, referenceId: "bad-6", memberExternalId: "other" }, 400, "validation_failed", "memberExternalId"],
    ["malformed JSON", "{points: 5}", 400, "invalid_json", undefined],
    ["a body over 16 KB", { points: 5, referenceId: "bad-7", pad: "p".repeat(17_000) }, 413, "payload_too_large", undefined],
  ])("refuses %s and writes nothing", async (_name, body, status, error, field) => {
    const before = await writtenRows(h.t);
    expectError(await send(body), status, error, field);
    expect(await writtenRows(h.t)).toEqual(before);
  });

  it("lets exactly as many concurrent redemptions succeed as the balance covers", async () => {
    expect(await available()).toBe(600);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => send({ points: 100, referenceId: `race-${i}` })));
    const statuses = results.map((r) => r.status);
    expect([statuses.filter((s) => s === 201).length, statuses.filter((s) => s === 409).length]).toEqual([6, 14]);
    expect(await available()).toBe(0);
  });

  describe("with a rewardId", () => {
    const NOW = Date.now();
    let lastItem: number;
    let inactive: number;
    let ended: number;
    let unlimited: number;
    const sendAs = (body: unknown) => send(body, "cust-w");
    const stockOf = async (id: number) => (await h.t.db.select({ stock: rewards.stock }).from(rewards).where(eq(rewards.id, id)))[0]!.stock;

    beforeAll(async () => {
      await call(createMember, "/api/v1/members", { key: h.key, body: { externalId: "cust-w" } });
      await call(recordEvent, "/api/v1/events", {
        key: h.key,
        body: { type: "purchase", memberExternalId: "cust-w", referenceId: "o-w", amountCents: 100_000 },
      });
      const insert = async (values: Partial<typeof rewards.$inferInsert>) =>
        (
          await h.t.db
            .insert(rewards)
            .values({ name: "Reward", pointsCost: 250, ...values })
            .returning({ id: rewards.id })
        )[0]!.id;
      lastItem = await insert({ name: "Last mug", stock: 1 });
      inactive = await insert({ name: "Retired tote", active: false });
      ended = await insert({ name: "Summer voucher", endsAt: new Date(NOW - 86_400_000) });
      unlimited = await insert({ name: "Coffee", pointsCost: 120 });
    });

    it("redeems the reward's cost (201), takes one item and records the reward on the ledger row", async () => {
      const result = await sendAs({ rewardId: lastItem, referenceId: "rw-1" });
      expect(result.status).toBe(201);
      expect(redemptionResultSchema.parse(result.body)).toMatchObject({ points: 250, availablePoints: 750, duplicate: false });
      expect(await stockOf(lastItem)).toBe(0);
      const [row] = await h.t.db
        .select()
        .from(pointTransactions)
        .where(eq(pointTransactions.id, result.body.transactionId as number));
      expect(row).toMatchObject({ type: "redeem", amount: -250, rewardId: lastItem, referenceId: "rw-1" });
      // A replay answers the first result and takes nothing more.
      const replay = await sendAs({ rewardId: lastItem, referenceId: "rw-1" });
      expect(replay.status).toBe(200);
      expect(replay.body).toMatchObject({ transactionId: result.body.transactionId, points: 250, duplicate: true });
    });

    it("accepts points equal to the reward's cost, and refuses any other amount with 400", async () => {
      const ok = await sendAs({ rewardId: unlimited, points: 120, referenceId: "rw-2" });
      expect([ok.status, ok.body.points]).toEqual([201, 120]);
      const before = await writtenRows(h.t);
      expectError(await sendAs({ rewardId: unlimited, points: 100, referenceId: "rw-3" }), 400, "validation_failed", "points");
      expect(await writtenRows(h.t)).toEqual(before);
    });

    it.each([
      ["out of stock", () => ({ rewardId: lastItem, referenceId: "rw-4" }), 409, "out_of_stock"],
      ["inactive", () => ({ rewardId: inactive, referenceId: "rw-5" }), 422, "reward_unavailable"],
      ["past its window", () => ({ rewardId: ended, referenceId: "rw-6" }), 422, "reward_unavailable"],
      ["unknown", () => ({ rewardId: 999_999, referenceId: "rw-7" }), 404, "reward_not_found"],
    ])("refuses a reward that is %s and writes nothing", async (_name, body, status, error) => {
      const before = await writtenRows(h.t);
      const stock = await stockOf(lastItem);
      expectError(await sendAs(body()), status, error, "rewardId");
      expect(await writtenRows(h.t)).toEqual(before);
      expect(await stockOf(lastItem)).toBe(stock);
    });

    it.each([
      ["neither points nor rewardId", { referenceId: "rw-8" }, "points"],
      ["a rewardId as a string", { rewardId: "1", referenceId: "rw-9" }, "rewardId"],
      ["a fractional rewardId", { rewardId: 1.5, referenceId: "rw-10" }, "rewardId"],
      ["a negative rewardId", { rewardId: -1, referenceId: "rw-11" }, "rewardId"],
    ])("refuses %s with 400 and writes nothing", async (_name, body, field) => {
      const before = await writtenRows(h.t);
      expectError(await sendAs(body), 400, "validation_failed", field);
      expect(await writtenRows(h.t)).toEqual(before);
    });
  });
});
