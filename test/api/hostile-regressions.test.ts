import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as recordBatch } from "@/app/api/v1/events/batch/route";
import { POST as recordEvent } from "@/app/api/v1/events/route";
import { POST as createMember } from "@/app/api/v1/members/route";
import { GET as listTransactions } from "@/app/api/v1/members/[externalId]/transactions/route";
import { batchResponseSchema } from "@/lib/http/schemas";
import { call, createApiHarness, expectError, writtenRows, type ApiHarness } from "./api-harness";

/** Findings of the hostile-input fuzzer (issue 9 §4), each kept as a regression test. */
describe("hostile input found by the fuzzer", () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await createApiHarness();
    await call(createMember, "/api/v1/members", { key: h.key, body: { externalId: "cust-h" } });
  });
  afterAll(() => h.close());

  it("one event dated in year 0000 fails alone, not its batch of 1,000 (was 500 for the whole batch)", async () => {
    const events = Array.from({ length: 1_000 }, (_, i) => ({ type: "review", memberExternalId: "cust-h", referenceId: `y0-${i}` }));
    events[500] = { ...events[500]!, occurredAt: "0000-01-01T00:00:00Z" } as (typeof events)[number];
    const before = await writtenRows(h.t);
    const result = await call(recordBatch, "/api/v1/events/batch", { key: h.key, body: { events } });
    expect(result.status).toBe(200);
    const body = batchResponseSchema.parse(result.body);
    expect(body.summary).toEqual({ created: 999, duplicates: 0, failed: 1 });
    expect(body.results[500]).toMatchObject({ status: 400, error: { error: "validation_failed", field: "occurredAt" } });
    expect((await writtenRows(h.t)).transactions - before.transactions).toBe(999);
  });

  it.each(["0000-01-01T00:00:00Z", "0001-01-01T00:00:00+14:00", "1969-12-31T23:59:59Z"])(
    "a single event dated %s answers 400 naming occurredAt",
    async (occurredAt) => {
      const before = await writtenRows(h.t);
      const result = await call(recordEvent, "/api/v1/events", {
        key: h.key,
        body: { type: "review", memberExternalId: "cust-h", referenceId: `far-${occurredAt}`, occurredAt },
      });
      expectError(result, 400, "validation_failed", "occurredAt");
      expect(await writtenRows(h.t)).toEqual(before);
    },
  );

  it.each(["Ada\u0000Lovelace", "Ada\u0007", "line\nbreak", "\u009b31m"])(
    "a member name with a control character %j answers 400 (NUL was 500)",
    async (name) => {
      const before = await writtenRows(h.t);
      const result = await call(createMember, "/api/v1/members", { key: h.key, body: { externalId: "cust-nul", name } });
      expectError(result, 400, "validation_failed", "name");
      expect(await writtenRows(h.t)).toEqual(before);
    },
  );

  it("a transactions query from year 0000 answers 400 naming from", async () => {
    const result = await call(listTransactions, "/api/v1/members/cust-h/transactions", {
      key: h.key,
      params: { externalId: "cust-h" },
      query: "from=0000-01-01T00:00:00Z",
    });
    expectError(result, 400, "validation_failed", "from");
  });
});
