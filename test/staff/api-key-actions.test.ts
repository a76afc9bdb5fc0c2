import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiKeys, auditLog } from "@/db/schema";
import { ApiError } from "@/lib/http/api-error";
import { authenticateRequest } from "@/lib/http/api-key-auth";
import { forgetApiKeys } from "@/lib/http/api-key-cache";
import { apiKeyFormValues, createApiKeyForUser, revokeApiKeyForUser, rotateApiKeyForUser } from "@/lib/staff/api-key-actions";
import type { ApiKeyFormState } from "@/lib/staff/api-key-form-state";
import { createTestDatabase, type TestDatabase } from "../support/test-database";

const ADMIN = { id: "admin-7", roles: ["admin" as const] };
const OTHERS = [
  { id: "support-7", roles: ["support" as const] },
  { id: "marketing-7", roles: ["marketing" as const] },
  { id: "member-7", roles: ["member" as const] },
];

function form(fields: Record<string, string | string[]>): FormData {
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) for (const value of Array.isArray(v) ? v : [v]) data.append(k, value);
  return data;
}

const withKey = (key: string) => new Request("http://localhost/api/v1/members/x", { headers: { authorization: `Bearer ${key}` } });

function secretOf(state: ApiKeyFormState): string {
  expect(state.status).toBe("created");
  return state.status === "created" ? state.secret : "";
}

describe("API key page actions", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    forgetApiKeys();
  });
  afterAll(() => t.drop());

  const counts = async () => ({ keys: await t.db.$count(apiKeys), audit: await t.db.$count(auditLog) });

  it("creates a key for an admin with the checked scopes and shows the secret once", async () => {
    const values = apiKeyFormValues(form({ name: "checkout", scopes: ["events:write", "members:read"], rateLimit: "40", expiresIn: "30d" }));
    expect(values.scopes).toBe("events:write,members:read");
    const state = await createApiKeyForUser(t.db, ADMIN, values, new Date());
    const secret = secretOf(state);
    const key = await authenticateRequest(t.db, withKey(secret), "events:write", new Date());
    expect(key).toMatchObject({ name: "checkout", scopes: ["events:write", "members:read"], rateLimitPerSecond: 40 });
    expect(state.status === "created" && state.message).not.toContain(secret);
  });

  it("refuses the signed-out, every other role and bad input, writing nothing", async () => {
    const before = await counts();
    const values = apiKeyFormValues(form({ name: "sneaky", scopes: ["events:write"], expiresIn: "never" }));
    const signedOut = await createApiKeyForUser(t.db, null, values, new Date());
    expect(signedOut).toMatchObject({ status: "error", formError: expect.stringMatching(/sign in/i) });
    for (const user of OTHERS) {
      for (const run of [createApiKeyForUser, rotateApiKeyForUser, revokeApiKeyForUser]) {
        const state = await run(t.db, user, { ...values, id: "1" }, new Date());
        expect([user.roles[0], state]).toMatchObject([user.roles[0], { status: "error", formError: "You are not allowed to do this." }]);
      }
    }
    const bad = await createApiKeyForUser(t.db, ADMIN, apiKeyFormValues(form({ name: "", rateLimit: "lots", expiresIn: "soon" })), new Date());
    expect(bad.status).toBe("error");
    expect(bad.status === "error" && Object.keys(bad.fieldErrors).sort()).toEqual(["expiresIn", "name", "rateLimit", "scopes"]);
    const tampered = await revokeApiKeyForUser(t.db, ADMIN, { id: "1 OR 1=1" }, new Date());
    expect(tampered).toMatchObject({ status: "error", formError: "No such API key." });
    expect(await counts()).toEqual(before);
  });

  it("revokes at once in this process, though the key was remembered a moment ago", async () => {
    const secret = secretOf(await createApiKeyForUser(t.db, ADMIN, apiKeyFormValues(form({ name: "kiosk", scopes: ["members:read"] })), new Date()));
    const key = await authenticateRequest(t.db, withKey(secret), "members:read", new Date());
    const state = await revokeApiKeyForUser(t.db, ADMIN, { id: String(key.id) }, new Date());
    expect(state).toMatchObject({ status: "success", message: "Revoked “kiosk”." });
    const refused = await authenticateRequest(t.db, withKey(secret), "members:read", new Date()).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).status).toBe(401);
  });

  it("rotates: the new secret is shown once and works, the old one is refused at once here", async () => {
    const old = secretOf(await createApiKeyForUser(t.db, ADMIN, apiKeyFormValues(form({ name: "erp", scopes: ["members:read"] })), new Date()));
    const key = await authenticateRequest(t.db, withKey(old), "members:read", new Date());
    const fresh = secretOf(await rotateApiKeyForUser(t.db, ADMIN, { id: String(key.id) }, new Date()));
    expect(fresh).not.toBe(old);
    expect((await authenticateRequest(t.db, withKey(fresh), "members:read", new Date())).name).toBe("erp");
    const refused = await authenticateRequest(t.db, withKey(old), "members:read", new Date()).catch((e: unknown) => e);
    expect((refused as ApiError).status).toBe(401);
    const audit = await t.db.select().from(auditLog);
    expect(audit.filter((e) => e.actor === "user:admin-7").map((e) => e.action)).toEqual([
      "api_key.created",
      "api_key.created",
      "api_key.revoked",
      "api_key.created",
      "api_key.rotated",
    ]);
  });
});
