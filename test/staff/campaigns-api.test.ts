import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { setDbHandle } from "@/db/client";
import { campaigns } from "@/db/schema";
import { createApiKey } from "@/lib/loyalty/access/api-keys";
import { buildOpenApiDocument } from "@/lib/openapi/document";
import { GET as list, POST as create } from "@/app/api/v1/campaigns/route";
import { GET as getOne, PATCH as patch } from "@/app/api/v1/campaigns/[id]/route";
import { createTestDatabase, type TestDatabase } from "../support/test-database";

const base = "http://localhost/api/v1/campaigns";
const future = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();
const valid = () => ({ name: "Triple Tuesday", multiplier: 3, startsAt: future(1), endsAt: future(25), eventTypes: ["purchase"] });

describe("/api/v1/campaigns", () => {
  let t: TestDatabase;
  let writeKey: string;
  let readKey: string;
  let eventsKey: string;
  const noParams = { params: Promise.resolve({}) } as never;
  const idParams = (id: number | string) => ({ params: Promise.resolve({ id: String(id) }) });
  const request = (url: string, key: string, method = "GET", body?: unknown) =>
    new Request(url, {
      method,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
  const countCampaigns = async () => (await t.db.select({ n: sql<number>`count(*)::int` }).from(campaigns))[0]!.n;

  beforeAll(async () => {
    t = await createTestDatabase();
    setDbHandle({ db: t.db, kind: "postgres", close: async () => {} });
    writeKey = (await createApiKey(t.db, { name: "marketing-tool", scopes: ["campaigns:write"] })).key;
    readKey = (await createApiKey(t.db, { name: "bi", scopes: ["campaigns:read"] })).key;
    eventsKey = (await createApiKey(t.db, { name: "shop", scopes: ["events:write"] })).key;
  });
  afterAll(async () => {
    setDbHandle(undefined);
    await t.drop();
  });

  it("creates (201), lists and reads a campaign", async () => {
    const response = await create(request(base, writeKey, "POST", valid()), noParams);
    expect(response.status).toBe(201);
    const body = await response.json();
    expect(body).toMatchObject({ name: "Triple Tuesday", multiplier: 3, status: "scheduled", eventTypes: ["purchase"], tiers: [] });

    const listed = await (await list(request(base, readKey), noParams)).json();
    expect(listed.current.map((c: { id: number }) => c.id)).toContain(body.id);
    const one = await getOne(request(`${base}/${body.id}`, readKey), idParams(body.id));
    expect((await one.json()).id).toBe(body.id);
  });

  it.each([
    ["multiplier 0", { multiplier: 0 }, 400, "multiplier"],
    ["multiplier 1", { multiplier: 1 }, 400, "multiplier"],
    ["multiplier 11", { multiplier: 11 }, 400, "multiplier"],
    ["unknown event type", { eventTypes: ["purchase", "checkin"] }, 400, "eventTypes.1"],
    ["end before start", { endsAt: future(0.5) }, 422, "endsAt"],
    ["unknown field", { budget: 5 }, 400, undefined],
  ])("refuses %s with %i and writes nothing", async (_, change, status, field) => {
    const before = await countCampaigns();
    const response = await create(request(base, writeKey, "POST", { ...valid(), ...change }), noParams);
    expect(response.status).toBe(status);
    const body = await response.json();
    expect(body.error).toMatch(/validation_failed|unprocessable/);
    if (field) expect(body.field).toBe(field);
    expect(await countCampaigns()).toBe(before);
  });

  it("answers 400 to malformed JSON", async () => {
    expect((await create(request(base, writeKey, "POST", "{nope"), noParams)).status).toBe(400);
  });

  it("answers 403 to a key without the scope, 401 to none", async () => {
    const before = await countCampaigns();
    expect((await create(request(base, readKey, "POST", valid()), noParams)).status).toBe(403);
    expect((await create(request(base, eventsKey, "POST", valid()), noParams)).status).toBe(403);
    expect((await list(request(base, eventsKey), noParams)).status).toBe(403);
    expect((await list(new Request(base), noParams)).status).toBe(401);
    expect(await countCampaigns()).toBe(before);
  });

  it("PATCHes: edit before the start, pause and resume; 404 for an unknown id; 403 for a read key", async () => {
    const created = await (await create(request(base, writeKey, "POST", valid()), noParams)).json();
    const url = `${base}/${created.id}`;
    const edited = await patch(request(url, writeKey, "PATCH", { multiplier: "1.5" }), idParams(created.id));
    expect(edited.status).toBe(200);
    expect((await edited.json()).multiplier).toBe(1.5);
    const paused = await (await patch(request(url, writeKey, "PATCH", { action: "pause" }), idParams(created.id))).json();
    expect(paused.status).toBe("paused");
    const resumedAgain = await patch(request(url, writeKey, "PATCH", { action: "resume" }), idParams(created.id));
    expect((await resumedAgain.json()).status).toBe("scheduled");
    expect((await patch(request(url, writeKey, "PATCH", { action: "resume" }), idParams(created.id))).status).toBe(409);
    expect((await patch(request(url, writeKey, "PATCH", { multiplier: 11 }), idParams(created.id))).status).toBe(400);
    expect((await patch(request(`${base}/999999`, writeKey, "PATCH", { action: "pause" }), idParams(999999))).status).toBe(404);
    expect((await patch(request(url, readKey, "PATCH", { action: "pause" }), idParams(created.id))).status).toBe(403);
    expect((await patch(request(`${base}/abc`, writeKey, "PATCH", { action: "pause" }), idParams("abc"))).status).toBe(400);
  });

  it("is documented in the OpenAPI document with its scopes", () => {
    const document = buildOpenApiDocument();
    const paths = document.paths!;
    expect(paths["/api/v1/campaigns"]?.post?.["x-required-scope"]).toBe("campaigns:write");
    expect(paths["/api/v1/campaigns"]?.get?.["x-required-scope"]).toBe("campaigns:read");
    expect(paths["/api/v1/campaigns/{id}"]?.patch?.responses?.["422"]).toBeDefined();
  });
});
