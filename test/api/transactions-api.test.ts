import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as recordEvent } from "@/app/api/v1/events/route";
import { POST as createMember } from "@/app/api/v1/members/route";
import { POST as redeem } from "@/app/api/v1/members/[externalId]/redemptions/route";
import { GET as listTransactions } from "@/app/api/v1/members/[externalId]/transactions/route";
import { transactionPageSchema } from "@/lib/http/schemas";
import { call, createApiHarness, expectError, type ApiHarness } from "./api-harness";

describe("GET /api/v1/members/{externalId}/transactions", () => {
  let h: ApiHarness;
  const list = (query: string, externalId = "cust-t") =>
    call(listTransactions, `/api/v1/members/${externalId}/transactions`, { key: h.key, query, params: { externalId } });

  beforeAll(async () => {
    h = await createApiHarness();
    await call(createMember, "/api/v1/members", { key: h.key, body: { externalId: "cust-t" } });
    await call(createMember, "/api/v1/members", { key: h.key, body: { externalId: "other" } });
    for (let i = 1; i <= 6; i++) {
      const body = { type: "purchase", memberExternalId: "cust-t", referenceId: `t-${i}`, amountCents: i * 1_000 };
      expect((await call(recordEvent, "/api/v1/events", { key: h.key, body })).status).toBe(201);
    }
    const other = { type: "review", memberExternalId: "other", referenceId: "other-1" };
    await call(recordEvent, "/api/v1/events", { key: h.key, body: other });
    const redemption = await call(redeem, "/api/v1/members/cust-t/redemptions", {
      key: h.key,
      body: { points: 15, referenceId: "t-red" },
      params: { externalId: "cust-t" },
    });
    expect(redemption.status).toBe(201);
  });
  afterAll(() => h.close());

  it("pages through the member's ledger, newest first, following nextCursor to the end", async () => {
    const seen: { id: number; type: string; amount: number; referenceId: string }[] = [];
    let cursor: string | null = null;
    const pageSizes: number[] = [];
    do {
      const result = await list(`limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      expect(result.status).toBe(200);
      const page = transactionPageSchema.parse(result.body);
      pageSizes.push(page.items.length);
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    expect(pageSizes).toEqual([3, 3, 1]);
    expect(seen.map((r) => r.referenceId)).toEqual(["t-red", "t-6", "t-5", "t-4", "t-3", "t-2", "t-1"]);
    expect(seen.map((r) => r.amount)).toEqual([-15, 60, 50, 40, 30, 20, 10]);
    expect(new Set(seen.map((r) => r.id)).size).toBe(7);
  });

  it("filters by type", async () => {
    const page = transactionPageSchema.parse((await list("types=redeem")).body);
    expect(page.items.map((r) => r.type)).toEqual(["redeem"]);
    expect(page.nextCursor).toBeNull();
  });

  it("answers 404 for an unknown member", async () => {
    const result = await list("", "nobody");
    expect([result.status, result.body.error]).toEqual([404, "member_not_found"]);
  });

  it.each([
    ["limit=0", "limit=0", "limit"],
    ["limit=-1", "limit=-1", "limit"],
    ["limit=abc", "limit=abc", "limit"],
    ["limit=2.5", "limit=2.5", "limit"],
    ["limit=100000", "limit=100000", "limit"],
    ["a cursor this API never returned", "cursor=not-a-cursor", "cursor"],
    ["a 10 KB cursor", `cursor=${"c".repeat(10_240)}`, "cursor"],
    ["an unknown type", "types=earn,gift", "types.1"],
    ["a malformed from", "from=yesterday", "from"],
    ["an unknown parameter", "unknown=1", "unknown"],
  ])("refuses %s with 400 naming the parameter", async (_name, query, field) => {
    expectError(await list(query), 400, "validation_failed", field);
  });
});
