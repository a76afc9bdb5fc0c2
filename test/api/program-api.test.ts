import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as getProgram, PATCH as patchProgram } from "@/app/api/v1/program/route";
import { call, createApiHarness, writtenRows, type ApiHarness } from "./api-harness";

describe("GET/PATCH /api/v1/program", () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await createApiHarness();
  });
  afterAll(() => h.close());

  it("answers the settings and changes them, audited", async () => {
    const read = await call(getProgram, "/api/v1/program", { key: h.key });
    expect(read).toMatchObject({ status: 200, body: { pendingDays: 0, holdTtlSeconds: 900 } });
    const changed = await call(patchProgram, "/api/v1/program", { key: h.key, method: "PATCH", body: { pendingDays: 30 } });
    expect(changed).toMatchObject({ status: 200, body: { pendingDays: 30, holdTtlSeconds: 900 } });
  });

  it.each([
    [{ pendingDays: 366 }, "pendingDays"],
    [{ pendingDays: "7" }, "pendingDays"],
    [{ holdTtlSeconds: 1.5 }, "holdTtlSeconds"],
    [{ expiryMonths: 1 }, undefined],
  ])("refuses %j with 400 naming the field and changes nothing", async (body, field) => {
    const before = await writtenRows(h.t);
    const refused = await call(patchProgram, "/api/v1/program", { key: h.key, method: "PATCH", body });
    expect([refused.status, refused.body.error]).toEqual([400, "validation_failed"]);
    if (field) expect(refused.body.field).toBe(field);
    expect(await writtenRows(h.t)).toEqual(before);
    expect((await call(getProgram, "/api/v1/program", { key: h.key })).body).toMatchObject({ pendingDays: 30 });
  });

  it("needs the program:write scope", async () => {
    const key = await h.keyWith(["members:read"]);
    expect((await call(getProgram, "/api/v1/program", { key })).status).toBe(403);
    expect((await call(patchProgram, "/api/v1/program", { key, method: "PATCH", body: { pendingDays: 1 } })).status).toBe(403);
  });
});
