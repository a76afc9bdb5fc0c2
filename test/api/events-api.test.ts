import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as recordEvent } from "@/app/api/v1/events/route";
import { POST as createMember } from "@/app/api/v1/members/route";
import { eventResultSchema } from "@/lib/http/schemas";
import { call, createApiHarness, expectError, writtenRows, type ApiHarness } from "./api-harness";

describe("POST /api/v1/events", () => {
  let h: ApiHarness;
  const send = (body: unknown) => call(recordEvent, "/api/v1/events", { key: h.key, body });
  const purchase = (referenceId: string, extra: Record<string, unknown> = {}) => ({
    type: "purchase",
    memberExternalId: "cust-ev",
    referenceId,
    amountCents: 12_345,
    ...extra,
  });

  beforeAll(async () => {
    h = await createApiHarness();
    await call(createMember, "/api/v1/members", { key: h.key, body: { externalId: "cust-ev" } });
  });
  afterAll(() => h.close());

  it("records a purchase (201) at one point per whole currency unit", async () => {
    const result = await send(purchase("order-1"));
    expect(result.status).toBe(201);
    expect(eventResultSchema.parse(result.body)).toMatchObject({ points: 123, multiplier: 1, campaignId: null, duplicate: false });
  });

  it("answers a replay with 200, the first result and duplicate: true, writing nothing", async () => {
    const first = await send(purchase("order-2"));
    const before = await writtenRows(h.t);
    const replay = await send(purchase("order-2"));
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual({ ...first.body, duplicate: true });
    expect(await writtenRows(h.t)).toEqual(before);
  });

  it("records the same event sent 25 times concurrently once: one 201, the rest 200 with the same result", async () => {
    const before = await writtenRows(h.t);
    const results = await Promise.all(Array.from({ length: 25 }, () => send(purchase("order-race", { amountCents: 5_000 }))));
    expect(results.map((r) => r.status).sort()).toEqual([...Array(24).fill(200), 201]);
    expect(new Set(results.map((r) => r.body.transactionId)).size).toBe(1);
    const after = await writtenRows(h.t);
    expect([after.transactions - before.transactions, Number(after.points) - Number(before.points)]).toEqual([1, 50]);
  });

  it("records a partial refund as the proportional negative points", async () => {
    await send(purchase("order-3", { amountCents: 10_000 }));
    const refund = await send({ type: "refund", memberExternalId: "cust-ev", referenceId: "refund-3", originalReferenceId: "order-3", amountCents: 2_500 });
    expect(refund.status).toBe(201);
    expect(refund.body.points).toBe(-25);
  });

  it("records referral, review and login events with their fixed points", async () => {
    for (const [type, points] of [
      ["referral", 500],
      ["review", 50],
      ["login", 10],
    ] as const) {
      const result = await send({ type, memberExternalId: "cust-ev", referenceId: `${type}-1` });
      expect([type, result.status, result.body.points]).toEqual([type, 201, points]);
    }
    const secondLogin = await send({ type: "login", memberExternalId: "cust-ev", referenceId: "login-2" });
    expect(secondLogin.status).toBe(200);
    expect(eventResultSchema.parse(secondLogin.body)).toMatchObject({ transactionId: null, points: 0, alreadyCheckedIn: true });
  });

  it("answers 404 member_not_found for an unknown member, writing nothing", async () => {
    const before = await writtenRows(h.t);
    const result = await send({ ...purchase("order-x"), memberExternalId: "nobody" });
    expect([result.status, result.body.error]).toEqual([404, "member_not_found"]);
    expect(await writtenRows(h.t)).toEqual(before);
  });

  const future = new Date(Date.now() + 24 * 3600_000).toISOString();
  it.each([
    ["malformed JSON", '{"type": "purchase",', 400, "invalid_json", undefined],
    ["a JSON string", '"purchase"', 400, "validation_failed", undefined],
    ["an unknown type", { ...purchase("bad-1"), type: "gift" }, 400, "validation_failed", "type"],
    ["a negative amount", purchase("bad-2", { amountCents: -100 }), 400, "validation_failed", "amountCents"],
    ["a zero amount", purchase("bad-3", { amountCents: 0 }), 400, "validation_failed", "amountCents"],
    ["a fractional amount", purchase("bad-4", { amountCents: 10.5 }), 400, "validation_failed", "amountCents"],
    ["an absurd amount (over 10^12)", purchase("bad-5", { amountCents: 1e12 + 1 }), 400, "validation_failed", "amountCents"],
    ["an amount as a string", purchase("bad-6", { amountCents: "100" }), 400, "validation_failed", "amountCents"],
    ["a purchase without amount", purchase("bad-7", { amountCents: undefined }), 400, "validation_failed", "amountCents"],
    [
      "a refund without its original",
      { type: "refund", memberExternalId: "cust-ev", referenceId: "bad-8", amountCents: 100 },
      400,
      "validation_failed",
      "originalReferenceId",
    ],
    ["a future occurredAt", purchase("bad-9", { occurredAt: future }), 422, "unprocessable", "occurredAt"],
    ["a malformed occurredAt", purchase("bad-10", { occurredAt: "yesterday" }), 400, "validation_failed", "occurredAt"],
    ["a 10 KB referenceId", purchase("r".repeat(10_240)), 400, "validation_failed", "referenceId"],
    ["a 10 KB memberExternalId", purchase("bad-11", { memberExternalId: "m".repeat(10_240) }), 400, "validation_failed", "memberExternalId"],
    ["an unknown field", purchase("bad-12", { points: 1_000_000 }), 400, "validation_failed", "points"],
    ["a body over 16 KB", purchase("bad-13", { padding: "p".repeat(17_000) }), 413, "payload_too_large", undefined],
  ])("refuses %s and writes nothing", async (_name, body, status, error, field) => {
    const before = await writtenRows(h.t);
    expectError(await send(body), status, error, field);
    expect(await writtenRows(h.t)).toEqual(before);
  });

  it("refuses a refund of an unknown purchase with 422, writing nothing", async () => {
    const before = await writtenRows(h.t);
    const result = await send({ type: "refund", memberExternalId: "cust-ev", referenceId: "refund-x", originalReferenceId: "never-sold", amountCents: 100 });
    expect([result.status, result.body.error]).toEqual([422, "original_not_found"]);
    expect(await writtenRows(h.t)).toEqual(before);
  });
});
