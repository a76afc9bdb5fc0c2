import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
  const available = async () =>
    (await call(getMember, "/api/v1/members/cust-r", { key: h.key, params: { externalId: "cust-r" } })).body.availablePoints;

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
});
