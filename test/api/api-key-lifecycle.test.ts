import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { apiKeys, auditLog } from "@/db/schema";
import { ApiError } from "@/lib/http/api-error";
import { authenticateRequest } from "@/lib/http/api-key-auth";
import { API_KEY_CACHE_TTL_MS, forgetApiKey, forgetApiKeys } from "@/lib/http/api-key-cache";
import { parseApiKeyInput, parseDuration } from "@/lib/loyalty/access/api-key-input";
import { listApiKeys, revokeApiKey, rotateApiKey } from "@/lib/loyalty/access/api-key-lifecycle";
import { authenticateApiKey, createApiKey } from "@/lib/loyalty/access/api-keys";
import { LoyaltyError } from "@/lib/loyalty/errors";
import type { Actor } from "@/lib/loyalty/access/staff-permissions";
import { createTestDatabase, type TestDatabase } from "../support/test-database";

const ADMIN: Actor = { kind: "user", id: "admin-1", roles: ["admin"] };
const SUPPORT: Actor = { kind: "user", id: "support-1", roles: ["support", "marketing"] };

const withKey = (key: string) => new Request("http://localhost/api/v1/members/x", { headers: { authorization: `Bearer ${key}` } });

async function refusal(promise: Promise<unknown>): Promise<{ code: string; status: number; field?: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error instanceof ApiError || error instanceof LoyaltyError).toBe(true);
  const e = error as ApiError | LoyaltyError;
  return { code: e.code, status: e.status, field: e.field };
}

describe("API key lifecycle", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());
  beforeEach(() => forgetApiKeys());

  const auditOf = (targetId: number) =>
    t.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.targetId, String(targetId)));

  it("creates a key with exactly the scopes, rate limit and expiry asked for, audited with the actor and no secret", async () => {
    const now = new Date();
    const input = parseApiKeyInput({ name: "shop", scopes: "events:write, members:read", rateLimit: "50", expiresIn: "90d" }, now);
    const { key, apiKey } = await createApiKey(t.db, input, { actor: ADMIN, now });
    expect(apiKey).toMatchObject({ name: "shop", scopes: ["events:write", "members:read"], rateLimitPerSecond: 50 });
    expect(apiKey.expiresAt!.getTime()).toBe(now.getTime() + 90 * 86_400_000);
    const [entry] = await auditOf(apiKey.id);
    expect(entry).toMatchObject({ actor: "user:admin-1", action: "api_key.created", targetType: "api_key", before: null });
    expect(entry!.after).toMatchObject({ name: "shop", scopes: ["events:write", "members:read"], rateLimitPerSecond: 50 });
    expect(JSON.stringify(entry)).not.toContain(key);
    expect(JSON.stringify(entry)).not.toContain(apiKey.keyHash);
  });

  it("refuses bad input naming the field, a taken name and a non-admin, writing nothing", async () => {
    const now = new Date();
    const before = { keys: await t.db.$count(apiKeys), audit: await t.db.$count(auditLog) };
    const cases: [Record<string, unknown>, string][] = [
      [{ name: "", scopes: "events:write" }, "name"],
      [{ name: "x", scopes: "" }, "scopes"],
      [{ name: "x", scopes: "events:write,root" }, "scopes"],
      [{ name: "x", scopes: "events:write", rateLimit: "0" }, "rateLimit"],
      [{ name: "x", scopes: "events:write", rateLimit: "1.5" }, "rateLimit"],
      [{ name: "x", scopes: "events:write", rateLimit: "100001" }, "rateLimit"],
      [{ name: "x", scopes: "events:write", expiresIn: "90" }, "expiresIn"],
      [{ name: "x", scopes: "events:write", expiresIn: "0d" }, "expiresIn"],
      [{ name: "x", scopes: "events:write", expiresIn: "9999d" }, "expiresIn"],
    ];
    for (const [input, field] of cases) {
      const error = await refusal(Promise.resolve().then(() => parseApiKeyInput(input, now)));
      expect([input, error.code, error.field]).toEqual([input, "validation_failed", field]);
    }
    expect(await refusal(createApiKey(t.db, { name: "12345", scopes: ["events:write"] }))).toMatchObject({ field: "name" });
    expect(await refusal(createApiKey(t.db, { name: "shop", scopes: ["events:write"] }))).toEqual({ code: "conflict", status: 409, field: "name" });
    expect(await refusal(createApiKey(t.db, { name: "mine", scopes: ["events:write"] }, { actor: SUPPORT }))).toMatchObject({ code: "forbidden" });
    expect({ keys: await t.db.$count(apiKeys), audit: await t.db.$count(auditLog) }).toEqual(before);
  });

  it("parses durations in minutes, hours, days and weeks only", () => {
    expect([parseDuration("30m"), parseDuration("12h"), parseDuration("90d"), parseDuration("2w")]).toEqual([
      1_800_000, 43_200_000, 7_776_000_000, 1_209_600_000,
    ]);
    for (const bad of ["", "90", "d", "-1d", "1.5d", "1y", "0h"]) expect([bad, parseDuration(bad)]).toEqual([bad, null]);
  });

  it("refuses an expired key with 401, also when this process remembers it", async () => {
    const { key, apiKey } = await createApiKey(t.db, { name: "short-lived", scopes: ["members:read"], expiresAt: new Date(Date.now() + 60_000) });
    const now = new Date();
    expect((await authenticateRequest(t.db, withKey(key), "members:read", now)).id).toBe(apiKey.id);
    // Within the cache's TTL of the last lookup, but past the expiry.
    const past = new Date(apiKey.expiresAt!.getTime() + 1);
    await t.db
      .update(apiKeys)
      .set({ expiresAt: new Date(now.getTime() + 1_000) })
      .where(eq(apiKeys.id, apiKey.id));
    forgetApiKeys();
    await authenticateRequest(t.db, withKey(key), "members:read", now); // remembered with the 1 s expiry
    expect(await refusal(authenticateRequest(t.db, withKey(key), "members:read", new Date(now.getTime() + 1_001)))).toMatchObject({ status: 401 });
    expect(await authenticateApiKey(t.db, key, past)).toBeNull();
  });

  it("revokes by name or id: audited, refused at once by the database and within the cache TTL by a process that remembers it", async () => {
    const a = await createApiKey(t.db, { name: "pos", scopes: ["members:read"] });
    const start = new Date();
    expect((await authenticateRequest(t.db, withKey(a.key), "members:read", start)).id).toBe(a.apiKey.id);

    const revoked = await revokeApiKey(t.db, "pos", { actor: "cli" });
    expect(revoked.revokedAt).not.toBeNull();
    expect(await authenticateApiKey(t.db, a.key)).toBeNull();
    // This process remembered the key (as another app instance would after a CLI revocation)…
    const within = new Date(start.getTime() + API_KEY_CACHE_TTL_MS - 1);
    expect((await authenticateRequest(t.db, withKey(a.key), "members:read", within)).id).toBe(a.apiKey.id);
    // …and refuses it once the TTL has passed, whatever it remembered.
    const after = new Date(start.getTime() + API_KEY_CACHE_TTL_MS + 1);
    expect(await refusal(authenticateRequest(t.db, withKey(a.key), "members:read", after))).toEqual({ code: "unauthorized", status: 401, field: undefined });

    // A revocation in this process (the admin page) forgets the key at once.
    const b = await createApiKey(t.db, { name: "kiosk", scopes: ["members:read"] });
    await authenticateRequest(t.db, withKey(b.key), "members:read", new Date());
    const gone = await revokeApiKey(t.db, b.apiKey.id, { actor: ADMIN });
    forgetApiKey(gone.keyHash);
    expect(await refusal(authenticateRequest(t.db, withKey(b.key), "members:read", new Date()))).toMatchObject({ status: 401 });

    const [entry] = await auditOf(b.apiKey.id).then((rows) => rows.filter((r) => r.action === "api_key.revoked"));
    expect(entry).toMatchObject({ actor: "user:admin-1", targetType: "api_key" });
    expect(entry!.before).toMatchObject({ name: "kiosk", revokedAt: null });
    expect((entry!.after as { revokedAt: string }).revokedAt).toBe(gone.revokedAt!.toISOString());

    expect(await refusal(revokeApiKey(t.db, b.apiKey.id, { actor: ADMIN }))).toMatchObject({ code: "conflict" });
    expect(await refusal(revokeApiKey(t.db, "kiosk", { actor: ADMIN }))).toMatchObject({ code: "not_found" });
    expect(await refusal(revokeApiKey(t.db, "999999", { actor: ADMIN }))).toMatchObject({ code: "not_found" });
    const c = await createApiKey(t.db, { name: "kiosk", scopes: ["members:read"] }); // the name is free again
    expect(await refusal(revokeApiKey(t.db, c.apiKey.id, { actor: SUPPORT }))).toMatchObject({ code: "forbidden" });
  });

  it("rotates: a new secret with the same name, scopes, limit and lifetime; the old one stops now or after the grace", async () => {
    const created = await createApiKey(t.db, {
      name: "erp",
      scopes: ["events:write", "members:read"],
      rateLimitPerSecond: 20,
      expiresAt: new Date(Date.now() + 30 * 86_400_000),
    });
    const now = new Date();
    const rotated = await rotateApiKey(t.db, "erp", { actor: ADMIN, now });
    expect(rotated.key).not.toBe(created.key);
    expect(rotated.apiKey).toMatchObject({ name: "erp", scopes: ["events:write", "members:read"], rateLimitPerSecond: 20, revokedAt: null });
    const lifetime = created.apiKey.expiresAt!.getTime() - created.apiKey.createdAt.getTime();
    expect(Math.abs(rotated.apiKey.expiresAt!.getTime() - (now.getTime() + lifetime))).toBeLessThan(1_000);
    expect(rotated.previous).toMatchObject({ id: created.apiKey.id, replacedById: rotated.apiKey.id, revokedAt: now });
    expect(await authenticateApiKey(t.db, created.key, now)).toBeNull();
    expect((await authenticateApiKey(t.db, rotated.key, now))?.id).toBe(rotated.apiKey.id);
    const [entry] = await auditOf(created.apiKey.id).then((rows) => rows.filter((r) => r.action === "api_key.rotated"));
    expect(entry).toMatchObject({ actor: "user:admin-1" });
    expect(entry!.after).toMatchObject({ previous: { id: created.apiKey.id }, replacement: { id: rotated.apiKey.id, name: "erp" } });

    // With a grace period both work until it ends; then only the new one.
    const graced = await rotateApiKey(t.db, "erp", { actor: "cli", now, graceMs: 3_600_000 });
    expect((await authenticateApiKey(t.db, rotated.key, new Date(now.getTime() + 3_599_000)))?.id).toBe(rotated.apiKey.id);
    expect(await authenticateApiKey(t.db, rotated.key, new Date(now.getTime() + 3_600_001))).toBeNull();
    expect((await authenticateApiKey(t.db, graced.key, new Date(now.getTime() + 3_600_001)))?.id).toBe(graced.apiKey.id);
    // A retiring key cannot be rotated again, nor can a revoked one; a non-admin cannot rotate.
    expect(await refusal(rotateApiKey(t.db, rotated.apiKey.id, { actor: "cli", now }))).toMatchObject({ code: "conflict" });
    expect(await refusal(rotateApiKey(t.db, created.apiKey.id, { actor: "cli", now }))).toMatchObject({ code: "conflict" });
    expect(await refusal(rotateApiKey(t.db, "erp", { actor: SUPPORT, now }))).toMatchObject({ code: "forbidden" });
    expect(await refusal(rotateApiKey(t.db, "erp", { actor: "cli", now, graceMs: 8 * 86_400_000 }))).toMatchObject({ field: "grace" });
  });

  it("lists every key with its status and last use, never its hash, for admins only", async () => {
    // Past the 1 s expiry the "short-lived" key was given above, however soon this test runs after it.
    const now = new Date(Date.now() + 5_000);
    const list = await listApiKeys(t.db, ADMIN, now);
    const statuses = Object.fromEntries(list.map((k) => [`${k.name}#${k.id}`, k.status]));
    expect(Object.values(statuses)).toEqual(expect.arrayContaining(["active", "revoked", "retiring"]));
    expect(list.every((k) => !("keyHash" in k))).toBe(true);
    // Active, retiring, expired, then revoked; newest first within each.
    const rank = { active: 0, retiring: 1, expired: 2, revoked: 3 };
    const order = list.map((k) => [rank[k.status], -k.id]);
    expect(order).toEqual([...order].sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!));
    expect(new Set(list.map((k) => k.status))).toEqual(new Set(["active", "retiring", "expired", "revoked"]));
    expect(list.find((k) => k.name === "shop")).toMatchObject({ status: "active", rateLimitPerSecond: 50 });
    expect(await refusal(listApiKeys(t.db, SUPPORT, now))).toMatchObject({ code: "forbidden" });
  });
});
