import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as listRewards, POST as createReward } from "@/app/api/v1/rewards/route";
import { GET as getReward, PATCH as patchReward } from "@/app/api/v1/rewards/[id]/route";
import { call, createApiHarness, writtenRows, type ApiHarness } from "./api-harness";

describe("the rewards catalog API", () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await createApiHarness();
  });
  afterAll(() => h.close());

  it("creates a coupon with its pool (201), lists it, adds codes and changes it with PATCH", async () => {
    const created = await call(createReward, "/api/v1/rewards", {
      key: h.key,
      body: { name: "5 off", pointsCost: 500, kind: "coupon", codes: ["X-1", "X-2"] },
    });
    expect(created).toMatchObject({ status: 201, body: { name: "5 off", kind: "coupon", poolSize: 2, stock: null } });
    const id = String(created.body.id);
    const listed = await call(listRewards, "/api/v1/rewards", { key: h.key });
    expect(listed.body.items).toEqual([expect.objectContaining({ id: created.body.id, poolSize: 2 })]);
    const patched = await call(patchReward, `/api/v1/rewards/${id}`, {
      key: h.key,
      method: "PATCH",
      params: { id },
      body: { pointsCost: 450, codes: ["X-2", "X-3"] },
    });
    expect(patched).toMatchObject({ status: 200, body: { pointsCost: 450, poolSize: 3, name: "5 off" } });
    expect((await call(getReward, `/api/v1/rewards/${id}`, { key: h.key, params: { id } })).body).toMatchObject({ pointsCost: 450 });
  });

  it.each([
    [{ name: "", pointsCost: 1 }, "name"],
    [{ name: "Bad", pointsCost: 0 }, "pointsCost"],
    [{ name: "Bad", pointsCost: 1, kind: "gift" }, "kind"],
    [{ name: "Bad", pointsCost: 1, kind: "coupon", codes: ["has space"] }, "codes"],
    [{ name: "Bad", pointsCost: 1, kind: "coupon" }, "codePrefix"],
    [{ name: "Bad", pointsCost: 1, codes: ["A"] }, "codes"],
  ])("refuses %j with 400 naming the field and writes nothing", async (body, field) => {
    const before = await writtenRows(h.t);
    const refused = await call(createReward, "/api/v1/rewards", { key: h.key, body });
    expect([refused.status, refused.body.error]).toEqual([400, "validation_failed"]);
    expect(String(refused.body.field)).toMatch(new RegExp(`^${field}`));
    expect(await writtenRows(h.t)).toEqual(before);
  });

  it("needs rewards:read to list and rewards:write to change", async () => {
    const reader = await h.keyWith(["rewards:read"]);
    expect((await call(listRewards, "/api/v1/rewards", { key: reader })).status).toBe(200);
    expect((await call(createReward, "/api/v1/rewards", { key: reader, body: { name: "N", pointsCost: 1 } })).status).toBe(403);
    const other = await h.keyWith(["members:read"]);
    expect((await call(listRewards, "/api/v1/rewards", { key: other })).status).toBe(403);
    expect((await call(getReward, "/api/v1/rewards/999", { key: h.key, params: { id: "999" } })).status).toBe(404);
  });
});
