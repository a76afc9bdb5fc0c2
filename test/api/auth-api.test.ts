import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { POST as recordBatch } from "@/app/api/v1/events/batch/route";
import { POST as recordEvent } from "@/app/api/v1/events/route";
import { GET as getMember } from "@/app/api/v1/members/[externalId]/route";
import { POST as redeem } from "@/app/api/v1/members/[externalId]/redemptions/route";
import { GET as listTransactions } from "@/app/api/v1/members/[externalId]/transactions/route";
import { POST as createMember } from "@/app/api/v1/members/route";
import { apiKeys } from "@/db/schema";
import { API_SCOPES, createApiKey, type ApiScope } from "@/lib/loyalty/access/api-keys";
import { call, createApiHarness, writtenRows, type ApiHarness } from "./api-harness";

type Handler = Parameters<typeof call>[0];
interface Operation {
  name: string;
  handler: Handler;
  scope: ApiScope;
  path: string;
  params?: Record<string, string>;
  body?: unknown;
  okStatus: number;
}

const params = { externalId: "cust-a" };
const operations: Operation[] = [
  { name: "POST members", handler: createMember, scope: "members:write", path: "/api/v1/members", body: { externalId: "cust-new" }, okStatus: 201 },
  { name: "GET member", handler: getMember, scope: "members:read", path: "/api/v1/members/cust-a", params, okStatus: 200 },
  { name: "GET transactions", handler: listTransactions, scope: "members:read", path: "/api/v1/members/cust-a/transactions", params, okStatus: 200 },
  {
    name: "POST events",
    handler: recordEvent,
    scope: "events:write",
    path: "/api/v1/events",
    body: { type: "review", memberExternalId: "cust-a", referenceId: "rev-1" },
    okStatus: 201,
  },
  {
    name: "POST events/batch",
    handler: recordBatch,
    scope: "events:write",
    path: "/api/v1/events/batch",
    body: { events: [{ type: "review", memberExternalId: "cust-a", referenceId: "rev-2" }] },
    okStatus: 200,
  },
  {
    name: "POST redemptions",
    handler: redeem,
    scope: "redemptions:write",
    path: "/api/v1/members/cust-a/redemptions",
    params,
    body: { points: 1, referenceId: "red-1" },
    okStatus: 201,
  },
];

describe("API key authentication and scopes on every v1 route", () => {
  let h: ApiHarness;
  let revoked: string;
  beforeAll(async () => {
    h = await createApiHarness();
    await call(createMember, "/api/v1/members", { key: h.key, body: { externalId: "cust-a" } });
    await call(recordEvent, "/api/v1/events", { key: h.key, body: { type: "referral", memberExternalId: "cust-a", referenceId: "ref-0" } });
    const created = await createApiKey(h.t.db, { name: "revoked", scopes: API_SCOPES });
    await h.t.db.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.id, created.apiKey.id));
    revoked = created.key;
  });
  afterAll(() => h.close());

  describe.each(operations)("$name", (op) => {
    const send = (headers: Record<string, string>) =>
      call(op.handler, op.path, { params: op.params, body: op.body, headers, method: op.body === undefined ? "GET" : "POST" });

    it("answers 401 without a key, with a malformed header, an unknown key or a revoked key, writing nothing", async () => {
      const before = await writtenRows(h.t);
      for (const authorization of [undefined, "Bearer", "Token abc", "Bearer lk_unknown", `Bearer ${revoked}`]) {
        const result = await send(authorization ? { authorization } : {});
        expect([authorization, result.status, result.body.error]).toEqual([authorization, 401, "unauthorized"]);
      }
      expect(await writtenRows(h.t)).toEqual(before);
    });

    it(`answers 403 to a key without ${op.scope}, writing nothing`, async () => {
      const others = API_SCOPES.filter((s) => s !== op.scope);
      const key = await h.keyWith(others);
      const before = await writtenRows(h.t);
      const result = await send({ authorization: `Bearer ${key}` });
      expect([result.status, result.body.error]).toEqual([403, "forbidden"]);
      expect(await writtenRows(h.t)).toEqual(before);
    });

    it(`serves a key with only ${op.scope}`, async () => {
      const key = await h.keyWith([op.scope]);
      const result = await send({ authorization: `Bearer ${key}` });
      expect(result.status).toBe(op.okStatus);
    });
  });
});
