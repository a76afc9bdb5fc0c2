import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as postEvent } from "@/app/api/v1/events/route";
import { GET as eraseGet, POST as eraseRoute } from "@/app/api/v1/members/[externalId]/erasure/route";
import { GET as exportRoute } from "@/app/api/v1/members/[externalId]/export/route";
import { GET as getMember } from "@/app/api/v1/members/[externalId]/route";
import { POST as createMember } from "@/app/api/v1/members/route";
import { GET as openapiJson } from "@/app/api/v1/openapi.json/route";
import { queryRows } from "@/db/client";
import { erasureResultSchema, memberExportSchema } from "@/lib/http/privacy-schemas";
import { verifyChains } from "@/lib/loyalty/jobs/verify-chains";
import { verifyLedger } from "@/lib/loyalty/jobs/verify-ledger";
import { call, createApiHarness, expectError, writtenRows, type ApiHarness } from "./api-harness";

const EMAIL = "Ottilie.Brandvold@example.net";
const NAME = "Ottilie Brandvold";
const ID = "shop-ob-5521";

async function memberRow(h: ApiHarness) {
  const [row] = await queryRows<Record<string, unknown>>(
    h.t.db,
    sql`SELECT id, external_id, email, name, erased_at FROM members WHERE external_id = ${ID} OR external_id LIKE 'erased:%'`,
  );
  return row;
}

describe("GET /api/v1/members/{externalId}/export and POST …/erasure", () => {
  let h: ApiHarness;
  let exportKey: string;
  let eraseKey: string;
  let readKey: string;
  let writeKey: string;

  beforeAll(async () => {
    h = await createApiHarness();
    [exportKey, eraseKey, readKey, writeKey] = await Promise.all([
      h.keyWith(["members:export"]),
      h.keyWith(["members:erase"]),
      h.keyWith(["members:read"]),
      h.keyWith(["members:write", "events:write", "redemptions:write"]),
    ]);
    expect((await call(createMember, "/api/v1/members", { key: h.key, body: { externalId: ID, email: EMAIL, name: NAME } })).status).toBe(201);
    const earn = await call(postEvent, "/api/v1/events", {
      key: h.key,
      body: { type: "purchase", memberExternalId: ID, referenceId: "ob-order-1", amountCents: 4_200 },
    });
    expect(earn.status).toBe(201);
  });
  afterAll(() => h.close());

  it("exports the member's data to a members:export key, as a download, and audits it", async () => {
    const auditBefore = (await writtenRows(h.t)).audit;
    const response = await exportRoute(new Request(`http://localhost/api/v1/members/${ID}/export`, { headers: { authorization: `Bearer ${exportKey}` } }), {
      params: Promise.resolve({ externalId: ID }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="member-\d+-data-\d{4}-\d{2}-\d{2}\.json"$/);
    const body = memberExportSchema.parse(await response.json());
    expect(body.member).toMatchObject({ externalId: ID, email: EMAIL, name: NAME });
    expect(body.transactions).toEqual([expect.objectContaining({ referenceId: "ob-order-1", amount: 42 })]);
    expect(body.lots).toEqual([expect.objectContaining({ remaining: 42 })]);
    expect((await writtenRows(h.t)).audit).toBe(auditBefore + 1);
  });

  it("refuses the export without the scope (members:read is not enough), without a key, and for bad or unknown ids; nothing is written", async () => {
    const before = await writtenRows(h.t);
    expectError(await call(exportRoute, `/api/v1/members/${ID}/export`, { key: readKey, params: { externalId: ID } }), 403, "forbidden");
    expectError(await call(exportRoute, `/api/v1/members/${ID}/export`, { params: { externalId: ID } }), 401, "unauthorized");
    expectError(
      await call(exportRoute, "/api/v1/members/a%20b/export", { key: exportKey, params: { externalId: "a b" } }),
      400,
      "validation_failed",
      "externalId",
    );
    expectError(
      await call(exportRoute, "/api/v1/members/nobody/export", { key: exportKey, params: { externalId: "nobody" } }),
      404,
      "member_not_found",
      "externalId",
    );
    expect(await writtenRows(h.t)).toEqual(before);
  });

  it.each([
    ["malformed JSON", '{"reason": "x"', 400, "invalid_json", undefined],
    ["no body", "", 400, "invalid_json", undefined],
    ["no reason", {}, 400, "validation_failed", "reason"],
    ["an empty reason", { reason: "   " }, 400, "validation_failed", "reason"],
    ["a number as reason", { reason: 5 }, 400, "validation_failed", "reason"],
    ["a reason over 1,000 characters", { reason: "r".repeat(1_001) }, 400, "validation_failed", "reason"],
    ["a reason with a control character", { reason: "asked\u0000" }, 400, "validation_failed", "reason"],
    ["an unknown field", { reason: "asked", force: true }, 400, "validation_failed", "force"],
    ["a reason naming the member's email", { reason: `asked by ${EMAIL}` }, 400, "validation_failed", "reason"],
    ["a reason naming the member's external id", { reason: `erase ${ID} please` }, 400, "validation_failed", "reason"],
  ])("refuses an erasure with %s and changes nothing", async (_name, body, status, error, field) => {
    const before = [await writtenRows(h.t), await memberRow(h)];
    expectError(await call(eraseRoute, `/api/v1/members/${ID}/erasure`, { key: eraseKey, params: { externalId: ID }, body }), status, error, field);
    expect([await writtenRows(h.t), await memberRow(h)]).toEqual(before);
  });

  it("refuses an erasure without members:erase or a key, and of an unknown member; nothing changes", async () => {
    const before = [await writtenRows(h.t), await memberRow(h)];
    for (const key of [readKey, writeKey, exportKey]) {
      expectError(await call(eraseRoute, `/api/v1/members/${ID}/erasure`, { key, params: { externalId: ID }, body: { reason: "asked" } }), 403, "forbidden");
    }
    expectError(await call(eraseRoute, `/api/v1/members/${ID}/erasure`, { params: { externalId: ID }, body: { reason: "asked" } }), 401, "unauthorized");
    expectError(
      await call(eraseRoute, "/api/v1/members/nobody/erasure", { key: eraseKey, params: { externalId: "nobody" }, body: { reason: "asked" } }),
      404,
      "member_not_found",
      "externalId",
    );
    expectError(await call(eraseGet, `/api/v1/members/${ID}/erasure`, { key: eraseKey, params: { externalId: ID }, method: "GET" }), 405, "method_not_allowed");
    expect([await writtenRows(h.t), await memberRow(h)]).toEqual(before);
  });

  it("erases (200), answers a repeat with the same result and alreadyErased, and the old external id is gone", async () => {
    const first = await call(eraseRoute, `/api/v1/members/${ID}/erasure`, {
      key: eraseKey,
      params: { externalId: ID },
      body: { reason: "Erasure request, ticket 4410" },
    });
    expect(first.status).toBe(200);
    const result = erasureResultSchema.parse(first.body);
    expect(result).toMatchObject({ externalId: `erased:${result.memberId}`, alreadyErased: false, balance: 42 });
    const afterFirst = await writtenRows(h.t);
    expect(afterFirst.points).toBe("42");

    const again = await call(eraseRoute, `/api/v1/members/${ID}/erasure`, { key: eraseKey, params: { externalId: ID }, body: { reason: "retry" } });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ ...first.body, alreadyErased: true, auditEntriesRedacted: 0, sessionsEnded: 0, holdsVoided: 0, notificationsDeleted: 0 });
    const byTombstone = await call(eraseRoute, `/api/v1/members/${result.externalId}/erasure`, {
      key: eraseKey,
      params: { externalId: result.externalId },
      body: { reason: "retry" },
    });
    expect(byTombstone.body).toEqual(again.body);
    expect(await writtenRows(h.t)).toEqual(afterFirst);

    expectError(await call(getMember, `/api/v1/members/${ID}`, { key: h.key, params: { externalId: ID } }), 404, "member_not_found");
    const event = await call(postEvent, "/api/v1/events", {
      key: h.key,
      body: { type: "purchase", memberExternalId: result.externalId, referenceId: "ob-order-2", amountCents: 1_000 },
    });
    expectError(event, 404, "member_not_found", "memberExternalId");
    const exported = await call<Record<string, unknown>>(exportRoute, `/api/v1/members/${result.externalId}/export`, {
      key: exportKey,
      params: { externalId: result.externalId },
    });
    expect(exported.status).toBe(200);
    const text = JSON.stringify(exported.body).toLowerCase();
    for (const needle of [EMAIL, NAME, ID]) expect(text).not.toContain(needle.toLowerCase());

    expect((await verifyLedger(h.t.db)).discrepancies).toEqual([]);
    expect(await verifyChains(h.t.db)).toEqual([]);
  });

  it("is in the OpenAPI document with its scopes", async () => {
    const doc = (await (await openapiJson()).json()) as { paths: Record<string, Record<string, { "x-required-scope"?: string }>> };
    expect(doc.paths["/api/v1/members/{externalId}/export"]?.get?.["x-required-scope"]).toBe("members:export");
    expect(doc.paths["/api/v1/members/{externalId}/erasure"]?.post?.["x-required-scope"]).toBe("members:erase");
  });
});
