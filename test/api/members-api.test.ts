import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as createMember } from "@/app/api/v1/members/route";
import { GET as getMember } from "@/app/api/v1/members/[externalId]/route";
import { connectPostgres, dbHandle, setDbHandle } from "@/db/client";
import { memberSchema, memberSummarySchema } from "@/lib/http/schemas";
import { call, createApiHarness, expectError, writtenRows, type ApiHarness } from "./api-harness";
import { forgetApiKeys } from "@/lib/http/api-key-cache";
import { setCacheStore } from "@/lib/cache/cache";

describe("POST /api/v1/members", () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await createApiHarness();
  });
  afterAll(() => h.close());

  it("creates a member (201), then answers 200 with the existing one for the same externalId", async () => {
    const first = await call(createMember, "/api/v1/members", {
      key: h.key,
      body: { externalId: "cust-1", email: "ada@example.com", name: "Ada" },
    });
    expect(first.status).toBe(201);
    expect(memberSchema.parse(first.body)).toMatchObject({ externalId: "cust-1", email: "ada@example.com", name: "Ada", tier: "bronze" });

    const again = await call(createMember, "/api/v1/members", { key: h.key, body: { externalId: "cust-1", name: "Someone else" } });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect((await writtenRows(h.t)).members).toBe(1);
  });

  it.each([
    ["malformed JSON", '{"externalId": "x"', 400, "invalid_json", undefined],
    ["an empty body", "", 400, "invalid_json", undefined],
    ["an array", [{ externalId: "x" }], 400, "validation_failed", undefined],
    ["no externalId", { email: "a@example.com" }, 400, "validation_failed", "externalId"],
    ["a number as externalId", { externalId: 42 }, 400, "validation_failed", "externalId"],
    ["an empty externalId", { externalId: "  " }, 400, "validation_failed", "externalId"],
    ["a 10 KB externalId", { externalId: "x".repeat(10_240) }, 400, "validation_failed", "externalId"],
    ["an externalId with spaces", { externalId: "a b" }, 400, "validation_failed", "externalId"],
    ["a malformed email", { externalId: "x", email: "not-an-email" }, 400, "validation_failed", "email"],
    ["a 10 KB name", { externalId: "x", name: "n".repeat(10_240) }, 400, "validation_failed", "name"],
    ["an unknown field", { externalId: "x", tier: "gold" }, 400, "validation_failed", "tier"],
    ["a body over 16 KB", { externalId: "x", name: "n".repeat(17_000) }, 413, "payload_too_large", undefined],
  ])("refuses %s and writes nothing", async (_name, body, status, error, field) => {
    const before = await writtenRows(h.t);
    expectError(await call(createMember, "/api/v1/members", { key: h.key, body }), status, error, field);
    expect(await writtenRows(h.t)).toEqual(before);
  });
});

describe("GET /api/v1/members/{externalId}", () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await createApiHarness();
    await call(createMember, "/api/v1/members", { key: h.key, body: { externalId: "cust-2", email: "bo@example.com" } });
  });
  afterAll(() => h.close());

  it("answers the member's balance, totals, tier and expiring points", async () => {
    const result = await call(getMember, "/api/v1/members/cust-2", { key: h.key, params: { externalId: "cust-2" } });
    expect(result.status).toBe(200);
    expect(memberSummarySchema.parse(result.body)).toEqual({
      externalId: "cust-2",
      email: "bo@example.com",
      name: null,
      tier: "bronze",
      availablePoints: 0,
      heldPoints: 0,
      pendingPoints: 0,
      totalEarned: 0,
      totalRedeemed: 0,
      tierSpend12m: 0,
      expiringSoon: [],
      tierRetention: { retainUntil: null, spendNeeded: 0, nextTier: "silver", spendToNextTier: 50_000 },
      tierEarnMultiplier: 1,
      tierBenefits: [],
    });
  });

  it("answers 404 member_not_found for an unknown member", async () => {
    const result = await call(getMember, "/api/v1/members/nobody", { key: h.key, params: { externalId: "nobody" } });
    expect([result.status, result.body.error]).toEqual([404, "member_not_found"]);
  });

  it("answers 400 for an externalId no member can have (10 KB)", async () => {
    const externalId = "x".repeat(10_240);
    expectError(await call(getMember, `/api/v1/members/${externalId}`, { key: h.key, params: { externalId } }), 400, "validation_failed", "externalId");
  });

  it("answers 500 internal_error without the detail when the database fails", async () => {
    const working = dbHandle();
    const broken = connectPostgres("postgres://postgres@127.0.0.1:5432/loyalty_no_such_database", { max: 1 });
    setDbHandle(broken);
    // Nothing may answer from memory: the key and the summary must be read from the broken database.
    forgetApiKeys();
    await setCacheStore(undefined)?.close();
    try {
      const result = await call(getMember, "/api/v1/members/cust-2", { key: h.key, params: { externalId: "cust-2" } });
      expect(result).toEqual({ status: 500, body: { error: "internal_error", message: "An unexpected error occurred" } });
    } finally {
      setDbHandle(working);
      await broken.close();
    }
  });
});
