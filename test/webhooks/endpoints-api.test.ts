import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import { DELETE as deleteEndpoint, GET as getEndpoint, PATCH as patchEndpoint } from "@/app/api/v1/webhook-endpoints/[id]/route";
import { GET as listEndpoints, POST as createEndpoint } from "@/app/api/v1/webhook-endpoints/route";
import { decryptWebhookSecret } from "@/lib/webhooks/secret";
import { call, createApiHarness, writtenRows, type ApiHarness } from "../api/api-harness";

const PATH = "/api/v1/webhook-endpoints";

describe("/api/v1/webhook-endpoints", () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await createApiHarness();
  });
  afterAll(() => h.close());

  it("creates an endpoint (201 with the secret, once), lists, changes and deletes it, audited", async () => {
    const created = await call(createEndpoint, PATH, {
      key: h.key,
      method: "POST",
      body: { url: "https://shop.example/hooks", eventTypes: ["points.earned"] },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ url: "https://shop.example/hooks", eventTypes: ["points.earned"], enabled: true });
    const secret = created.body.secret as string;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const id = String(created.body.id);

    // Stored encrypted, recoverable for signing; never answered again.
    const [stored] = await queryRows<{ secret_encrypted: string }>(h.t.db, sql`SELECT secret_encrypted FROM webhook_endpoints WHERE id = ${id}`);
    expect(stored!.secret_encrypted).not.toContain(secret.slice(6));
    expect(decryptWebhookSecret(stored!.secret_encrypted)).toBe(secret);
    const listed = await call(listEndpoints, PATH, { key: h.key });
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).not.toContain("whsec_");
    expect((await call(getEndpoint, `${PATH}/${id}`, { key: h.key, params: { id } })).body).not.toHaveProperty("secret");

    const changed = await call(patchEndpoint, `${PATH}/${id}`, { key: h.key, method: "PATCH", params: { id }, body: { enabled: false, eventTypes: null } });
    expect(changed).toMatchObject({ status: 200, body: { enabled: false, eventTypes: null } });

    expect((await call(deleteEndpoint, `${PATH}/${id}`, { key: h.key, method: "DELETE", params: { id } })).status).toBe(204);
    expect((await call(getEndpoint, `${PATH}/${id}`, { key: h.key, params: { id } })).status).toBe(404);
    const audit = await queryRows<{ action: string }>(h.t.db, sql`SELECT action FROM audit_log WHERE target_type = 'webhook_endpoint' ORDER BY id`);
    expect(audit.map((a) => a.action)).toEqual(["webhook_endpoint.create", "webhook_endpoint.change", "webhook_endpoint.delete"]);
  });

  it.each([
    [{ url: "ftp://shop.example/hooks" }, "url"],
    [{ url: "javascript:alert(1)" }, "url"],
    [{ url: "not a url" }, "url"],
    [{ url: `https://shop.example/${"a".repeat(2000)}` }, "url"],
    [{ url: 42 }, "url"],
    [{}, "url"],
    [{ url: "https://shop.example/h", eventTypes: ["points.stolen"] }, "eventTypes.0"],
    [{ url: "https://shop.example/h", eventTypes: [] }, "eventTypes"],
    [{ url: "https://shop.example/h", secret: "mine" }, "secret"],
  ])("refuses POST %j with 400 naming %s, writing nothing", async (body, field) => {
    const endpoints = async () => (await queryRows<{ n: number }>(h.t.db, sql`SELECT count(*)::int AS n FROM webhook_endpoints`))[0]!.n;
    const before = [await writtenRows(h.t), await endpoints()];
    const refused = await call(createEndpoint, PATH, { key: h.key, method: "POST", body });
    expect([refused.status, refused.body.error, refused.body.field]).toEqual([400, "validation_failed", field]);
    expect([await writtenRows(h.t), await endpoints()]).toEqual(before);
  });

  it("refuses a bad PATCH and an unknown or malformed id", async () => {
    const created = await call(createEndpoint, PATH, { key: h.key, method: "POST", body: { url: "http://127.0.0.1:9/h" } });
    const id = String(created.body.id);
    for (const [body, field] of [
      [{ enabled: "yes" }, "enabled"],
      [{ url: "https://x.example" }, "url"],
      [{}, undefined],
    ] as const) {
      const refused = await call(patchEndpoint, `${PATH}/${id}`, { key: h.key, method: "PATCH", params: { id }, body });
      expect([refused.status, refused.body.error, refused.body.field]).toEqual([400, "validation_failed", field]);
    }
    expect((await call(patchEndpoint, `${PATH}/999999`, { key: h.key, method: "PATCH", params: { id: "999999" }, body: { enabled: true } })).status).toBe(404);
    const bad = await call(getEndpoint, `${PATH}/abc`, { key: h.key, params: { id: "abc" } });
    expect([bad.status, bad.body.field]).toEqual([400, "id"]);
  });

  it("needs the webhooks:write scope", async () => {
    const key = await h.keyWith(["members:read"]);
    expect((await call(listEndpoints, PATH, { key })).status).toBe(403);
    expect((await call(createEndpoint, PATH, { key, method: "POST", body: { url: "https://shop.example/h" } })).status).toBe(403);
    expect((await call(deleteEndpoint, `${PATH}/1`, { key, method: "DELETE", params: { id: "1" } })).status).toBe(403);
    expect((await call(listEndpoints, PATH, {})).status).toBe(401);
  });
});
