import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as recordBatch } from "@/app/api/v1/events/batch/route";
import { POST as createMember } from "@/app/api/v1/members/route";
import { batchResponseSchema } from "@/lib/http/schemas";
import { call, createApiHarness, expectError, writtenRows, type ApiHarness } from "./api-harness";

describe("POST /api/v1/events/batch", () => {
  let h: ApiHarness;
  const send = (body: unknown) => call(recordBatch, "/api/v1/events/batch", { key: h.key, body });
  const purchase = (referenceId: string, amountCents: unknown = 1_000, memberExternalId = "cust-b") => ({
    type: "purchase",
    memberExternalId,
    referenceId,
    amountCents,
  });

  beforeAll(async () => {
    h = await createApiHarness();
    await call(createMember, "/api/v1/members", { key: h.key, body: { externalId: "cust-b" } });
  });
  afterAll(() => h.close());

  it("answers one result per event, in order; bad events fail alone", async () => {
    const result = await send({
      events: [
        purchase("b-1"),
        purchase("b-2", -5),
        purchase("b-3", 2_500),
        purchase("b-4", 1_000, "nobody"),
        { nonsense: true },
        purchase("b-1"),
        { ...purchase("b-5"), occurredAt: new Date(Date.now() + 86_400_000).toISOString() },
      ],
    });
    expect(result.status).toBe(200);
    const body = batchResponseSchema.parse(result.body);
    const outline = body.results.map((r) => ["result" in r ? r.result.points : r.error.error, r.status, r.index]);
    expect(outline).toEqual([
      [10, 201, 0],
      ["validation_failed", 400, 1],
      [25, 201, 2],
      ["member_not_found", 404, 3],
      ["validation_failed", 400, 4],
      [10, 200, 5],
      ["unprocessable", 422, 6],
    ]);
    expect(body.results[1]).toMatchObject({ error: { field: "amountCents" } });
    expect(body.summary).toEqual({ created: 2, duplicates: 1, failed: 4 });
    expect(body.results[6]).toMatchObject({ error: { field: "occurredAt" } });
    const rows = await writtenRows(h.t);
    expect([rows.transactions, rows.points]).toEqual([2, "35"]);
  });

  it("replays a whole batch as duplicates with the first results", async () => {
    const events = [purchase("r-1"), purchase("r-2", 4_200)];
    const first = batchResponseSchema.parse((await send({ events })).body);
    const before = await writtenRows(h.t);
    const again = batchResponseSchema.parse((await send({ events })).body);
    expect(again.summary).toEqual({ created: 0, duplicates: 2, failed: 0 });
    expect(again.results.map((r) => ("result" in r ? r.result.transactionId : null))).toEqual(
      first.results.map((r) => ("result" in r ? r.result.transactionId : null)),
    );
    expect(await writtenRows(h.t)).toEqual(before);
  });

  it("accepts 1,000 events", async () => {
    const events = Array.from({ length: 1000 }, (_, i) => purchase(`k-${i}`, 100));
    const body = batchResponseSchema.parse((await send({ events })).body);
    expect(body.summary).toEqual({ created: 1000, duplicates: 0, failed: 0 });
  });

  it.each([
    ["1,001 events", { events: Array.from({ length: 1001 }, (_, i) => purchase(`o-${i}`)) }, 400, "validation_failed", "events"],
    ["no events", { events: [] }, 400, "validation_failed", "events"],
    ["events that are not a list", { events: purchase("o-x") }, 400, "validation_failed", "events"],
    ["a bare list", [purchase("o-y")], 400, "validation_failed", undefined],
    ["malformed JSON", '{"events": [', 400, "invalid_json", undefined],
    ["a body over 1 MB", { events: [purchase("o-z")], padding: "p".repeat(1024 * 1024) }, 413, "payload_too_large", undefined],
  ])("refuses %s and writes nothing", async (_name, body, status, error, field) => {
    const before = await writtenRows(h.t);
    expectError(await send(body), status, error, field);
    expect(await writtenRows(h.t)).toEqual(before);
  });
});
