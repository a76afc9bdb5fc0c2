import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { apiKeys } from "@/db/schema";
import { ApiError } from "@/lib/http/api-error";
import { authenticateRequest } from "@/lib/http/api-key-auth";
import { API_KEY_CACHE_TTL_MS } from "@/lib/http/api-key-cache";
import { forgetApiKeyUse } from "@/lib/http/api-key-usage";
import { readJsonBody } from "@/lib/http/read-json";
import { errorResponse, json } from "@/lib/http/responses";
import { createApiKey } from "@/lib/loyalty/access/api-keys";
import { LoyaltyError } from "@/lib/loyalty/errors";
import { createTestDatabase, type TestDatabase } from "../support/test-database";

function post(body: BodyInit, headers: Record<string, string> = {}): Request {
  return new Request("http://localhost/api/v1/x", { method: "POST", body, headers, duplex: "half" } as RequestInit);
}

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe("readJsonBody", () => {
  it("parses a JSON body within the limit", async () => {
    expect(await readJsonBody(post('{"a":1}'), 100)).toEqual({ a: 1 });
  });

  it("refuses malformed, empty and non-UTF-8 bodies with invalid_json", async () => {
    for (const body of ["{not json", "", "   ", new Uint8Array([0x7b, 0xff, 0x7d])]) {
      const error = await rejection(readJsonBody(post(body)));
      expect([error.code, error.status]).toEqual(["invalid_json", 400]);
    }
  });

  it("refuses a body over the limit from its Content-Length without reading it", async () => {
    const error = await rejection(readJsonBody(post("{}", { "content-length": "5000" }), 100));
    expect([error.code, error.status]).toEqual(["payload_too_large", 413]);
  });

  it("stops reading a streamed body without Content-Length once it passes the limit", async () => {
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new TextEncoder().encode(" ".repeat(1024)));
      },
    });
    const error = await rejection(readJsonBody(post(stream), 4096));
    expect(error.code).toBe("payload_too_large");
    expect(pulled).toBeLessThan(10);
  });
});

describe("json", () => {
  it("marks a small body no-transform, so the server's gzip leaves it alone, and lets a large one be compressed", async () => {
    const small = json({ transactionId: 1, points: 120 }, 201);
    expect(small.status).toBe(201);
    expect(small.headers.get("content-type")).toBe("application/json");
    expect(small.headers.get("cache-control")).toBe("no-store, no-transform");
    expect(await small.json()).toEqual({ transactionId: 1, points: 120 });

    const items = Array.from({ length: 50 }, (_, i) => ({ id: i, type: "earn", referenceId: `order-${i}` }));
    const large = json({ items });
    expect(large.headers.get("cache-control")).toBe("no-store");
    expect(await large.json()).toEqual({ items });
  });
});

describe("errorResponse", () => {
  it("maps domain and edge errors to {error, message, field}", async () => {
    const domain = errorResponse(new LoyaltyError("insufficient_points", "Only 3 points available", { field: "points" }));
    expect(domain.status).toBe(409);
    expect(await domain.json()).toEqual({ error: "insufficient_points", message: "Only 3 points available", field: "points" });
    const edge = errorResponse(new ApiError("unauthorized", "no key"));
    expect(edge.status).toBe(401);
    expect(edge.headers.get("www-authenticate")).toMatch(/^Bearer/);
  });

  it("answers 500 internal_error for anything else, without the detail", async () => {
    const response = errorResponse(new Error("connection to 10.0.0.7 refused: password=hunter2"));
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text).error).toBe("internal_error");
    expect(text).not.toMatch(/hunter2|10\.0\.0\.7/);
  });
});

describe("authenticateRequest", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  const withKey = (key?: string) => new Request("http://localhost/api/v1/members/x", { headers: key ? { authorization: `Bearer ${key}` } : {} });

  it("refuses a missing, malformed, unknown or revoked key with 401", async () => {
    const { key, apiKey } = await createApiKey(t.db, { name: "revoked", scopes: ["members:read"] });
    await t.db.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.id, apiKey.id));
    const now = new Date();
    for (const request of [
      withKey(),
      new Request("http://localhost/", { headers: { authorization: "Basic abc" } }),
      withKey("lk_doesnotexist"),
      withKey("x".repeat(10_000)),
      withKey(key),
    ]) {
      const error = await rejection(authenticateRequest(t.db, request, "members:read", now));
      expect([error.code, error.status]).toEqual(["unauthorized", 401]);
    }
  });

  it("remembers a valid key for a few seconds only: a revocation takes effect within the TTL", async () => {
    const { key, apiKey } = await createApiKey(t.db, { name: "soon-revoked", scopes: ["members:read"] });
    const start = new Date();
    expect((await authenticateRequest(t.db, withKey(key), "members:read", start)).id).toBe(apiKey.id);
    await t.db.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.id, apiKey.id));
    const within = new Date(start.getTime() + API_KEY_CACHE_TTL_MS - 1);
    expect((await authenticateRequest(t.db, withKey(key), "members:read", within)).id).toBe(apiKey.id);
    const after = new Date(start.getTime() + API_KEY_CACHE_TTL_MS + 1);
    const error = await rejection(authenticateRequest(t.db, withKey(key), "members:read", after));
    expect([error.code, error.status]).toEqual(["unauthorized", 401]);
  });

  it("refuses a valid key without the scope with 403", async () => {
    const { key } = await createApiKey(t.db, { name: "reader", scopes: ["members:read"] });
    const error = await rejection(authenticateRequest(t.db, withKey(key), "events:write", new Date()));
    expect([error.code, error.status, error.message]).toEqual(["forbidden", 403, "This API key lacks the scope events:write"]);
    const ok = await authenticateRequest(t.db, withKey(key), "members:read", new Date());
    expect(ok.name).toBe("reader");
  });

  it("records lastUsedAt at most once a minute per key", async () => {
    forgetApiKeyUse();
    const { key, apiKey } = await createApiKey(t.db, { name: "busy", scopes: ["members:read"] });
    const lastUsed = async () => (await t.db.select({ at: apiKeys.lastUsedAt }).from(apiKeys).where(eq(apiKeys.id, apiKey.id)))[0]!.at;
    const t0 = new Date("2030-01-01T00:00:00Z");
    await authenticateRequest(t.db, withKey(key), "members:read", t0);
    expect(await lastUsed()).toEqual(t0);
    await authenticateRequest(t.db, withKey(key), "members:read", new Date(t0.getTime() + 30_000));
    forgetApiKeyUse(); // even another process, reading the row, does not write within the minute
    await authenticateRequest(t.db, withKey(key), "members:read", new Date(t0.getTime() + 59_000));
    expect(await lastUsed()).toEqual(t0);
    const t1 = new Date(t0.getTime() + 61_000);
    await authenticateRequest(t.db, withKey(key), "members:read", t1);
    expect(await lastUsed()).toEqual(t1);
  });
});
