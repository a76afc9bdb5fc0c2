import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { GET as docsPage } from "@/app/api/docs/route";
import { GET as openapiJson } from "@/app/api/v1/openapi.json/route";

const V1 = path.resolve(import.meta.dirname, "../../app/api/v1");
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/** Every [method, path] the v1 route files export, found on disk so a new route cannot go undocumented. */
function routesOnDisk(dir = V1): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return routesOnDisk(full);
    if (entry.name !== "route.ts") return [];
    const route = `/api/v1/${path.relative(V1, dir)}`.replace(/\[([^\]]+)\]/g, "{$1}");
    if (route === "/api/v1/openapi.json") return [];
    const source = fs.readFileSync(full, "utf8");
    return METHODS.filter((m) => new RegExp(`export (const ${m}\\b|(async )?function ${m}\\b)`).test(source)).map((m) => `${m.toLowerCase()} ${route}`);
  });
}

function refsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsOf);
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => (k === "$ref" && typeof v === "string" ? [v] : refsOf(v)));
  }
  return [];
}

describe("GET /api/v1/openapi.json", () => {
  it("is an OpenAPI 3.1 document listing every v1 route with its scope and error shape", async () => {
    const response = await openapiJson();
    expect(response.status).toBe(200);
    const doc = JSON.parse(await response.text());
    expect(doc.openapi).toBe("3.1.0");

    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, item]) => Object.keys(item).map((m) => `${m} ${p}`));
    const onDisk = routesOnDisk();
    expect(onDisk).toEqual(expect.arrayContaining(["post /api/v1/members", "post /api/v1/events/batch", "get /api/v1/members/{externalId}/transactions"]));
    expect(documented.sort()).toEqual(onDisk.sort());

    for (const [p, item] of Object.entries(doc.paths as Record<string, Record<string, Record<string, unknown>>>)) {
      for (const [method, op] of Object.entries(item)) {
        expect([method, p, op.security]).toEqual([method, p, [{ apiKey: [] }]]);
        expect(op["x-required-scope"]).toMatch(/^[a-z]+:(read|write|export|erase)$/);
        expect(Object.keys(op.responses as object)).toEqual(expect.arrayContaining(["400", "401", "403"]));
      }
    }
    for (const ref of new Set(refsOf(doc))) {
      const name = ref.replace("#/components/schemas/", "");
      expect(doc.components.schemas[name], ref).toBeDefined();
    }
  });

  it("documents validation from the same zod schemas the routes use", async () => {
    const doc = JSON.parse(await (await openapiJson()).text());
    const event = doc.components.schemas.Event;
    expect(event.properties.amountCents).toMatchObject({ type: "integer", maximum: 1e12 });
    expect(event.additionalProperties).toBe(false);
    // points may be left out when a rewardId is given (the reward's cost).
    expect(doc.components.schemas.RedemptionRequest.required).toEqual(["referenceId"]);
    expect(doc.components.schemas.RedemptionRequest.properties.rewardId).toMatchObject({ type: "integer", exclusiveMinimum: 0 });
  });
});

describe("GET /api/docs", () => {
  it("renders a plain reference page listing every operation", async () => {
    const response = await docsPage();
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await response.text();
    for (const route of routesOnDisk()) {
      const [method, p] = route.split(" ");
      expect(html).toContain(`${method!.toUpperCase()} ${p}`);
    }
    expect(html).not.toMatch(/<script/i);
  });
});
