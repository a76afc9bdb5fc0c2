import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { GET as getMember } from "@/app/api/v1/members/[externalId]/route";
import { GET as getProgram, PATCH as patchProgram } from "@/app/api/v1/program/route";
import { members } from "@/db/schema";
import { ensureMember } from "@/lib/loyalty/members/ensure-member";
import { call, createApiHarness, expectError, writtenRows, type ApiHarness } from "./api-harness";

describe("tier retention over the REST API", () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await createApiHarness();
  });
  afterAll(() => h.close());

  it("PATCH /api/v1/program sets the qualification period, the grace and a tier's benefits", async () => {
    const read = await call(getProgram, "/api/v1/program", { key: h.key });
    expect(read.body).toMatchObject({ tierQualificationMonths: 12, tierGraceDays: 0 });
    expect(read.body.tiers).toEqual([
      { code: "bronze", name: "Bronze", minSpend12m: 0, earnMultiplier: 1, benefits: [] },
      { code: "silver", name: "Silver", minSpend12m: 50_000, earnMultiplier: 1, benefits: [] },
      { code: "gold", name: "Gold", minSpend12m: 200_000, earnMultiplier: 1, benefits: [] },
    ]);
    const changed = await call(patchProgram, "/api/v1/program", {
      key: h.key,
      method: "PATCH",
      body: { tierGraceDays: 30, tiers: [{ code: "gold", earnMultiplier: 1.25, benefits: ["Free shipping"] }] },
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ tierGraceDays: 30, tierQualificationMonths: 12 });
    expect((changed.body.tiers as { code: string }[]).find((t) => t.code === "gold")).toMatchObject({ earnMultiplier: 1.25, benefits: ["Free shipping"] });
  });

  it.each([
    [{ tierGraceDays: 366 }, "tierGraceDays"],
    [{ tierQualificationMonths: 0 }, "tierQualificationMonths"],
    [{ tiers: [{ code: "gold", benefits: ["ok", ""] }] }, "tiers.0.benefits.1"],
    [{ tiers: [{ code: "gold", earnMultiplier: 11 }] }, "tiers.0.earnMultiplier"],
    [{ tiers: [{ code: "gold" }, { code: "gold" }] }, "tiers"],
  ])("refuses %j with 400 naming the field and changes nothing", async (body, field) => {
    const before = await writtenRows(h.t);
    expectError(await call(patchProgram, "/api/v1/program", { key: h.key, method: "PATCH", body }), 400, "validation_failed", field);
    expect(await writtenRows(h.t)).toEqual(before);
  });

  it("GET /api/v1/members/{externalId} returns the tier's retention date, the spend still needed and the benefits", async () => {
    const { member } = await ensureMember(h.t.db, { externalId: "grace-1" });
    const graceEnd = new Date(Date.now() + 10 * 86_400_000);
    await h.t.db.update(members).set({ tier: "gold", tierGraceEndsAt: graceEnd }).where(eq(members.id, member.id));
    const result = await call(getMember, "/api/v1/members/grace-1", { key: h.key, params: { externalId: "grace-1" } });
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({
      tier: "gold",
      tierRetention: { retainUntil: graceEnd.toISOString(), spendNeeded: 200_000, nextTier: null, spendToNextTier: 0 },
      tierEarnMultiplier: 1.25,
      tierBenefits: ["Free shipping"],
    });

    await ensureMember(h.t.db, { externalId: "plain-1" });
    const plain = await call(getMember, "/api/v1/members/plain-1", { key: h.key, params: { externalId: "plain-1" } });
    expect(plain.body).toMatchObject({
      tier: "bronze",
      tierRetention: { retainUntil: null, spendNeeded: 0, nextTier: "silver", spendToNextTier: 50_000 },
      tierBenefits: [],
    });
  });
});
