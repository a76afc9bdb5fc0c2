import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import { POST as createMember } from "@/app/api/v1/members/route";
import { GET as getReferral, POST as postReferral } from "@/app/api/v1/members/[externalId]/referral/route";
import { POST as postEvent } from "@/app/api/v1/events/route";
import { GET as getProgram, PATCH as patchProgram } from "@/app/api/v1/program/route";
import { call, createApiHarness, expectError, writtenRows, type ApiHarness } from "./api-harness";

/** Row counts plus the referral records and the programme's referral settings: equal = nothing changed. */
async function everything(h: ApiHarness) {
  const [extra] = await queryRows<{ referrals: number; codes: number; settings: string }>(
    h.t.db,
    sql`SELECT (SELECT count(*)::int FROM referrals) AS referrals, (SELECT count(referral_code)::int FROM members) AS codes,
               (SELECT concat_ws(',', referrer_reward_points, referee_reward_points, referral_refund_window_days, referral_monthly_limit)
                FROM program_settings) AS settings`,
  );
  return { ...(await writtenRows(h.t)), ...extra };
}

describe("referrals over the REST API", () => {
  let h: ApiHarness;
  let code = "";
  beforeAll(async () => {
    h = await createApiHarness();
    await call(createMember, "/api/v1/members", { key: h.key, body: { externalId: "api-referrer", email: "referrer@example.com" } });
  });
  afterAll(() => h.close());

  it("GET /api/v1/members/{externalId}/referral answers {code, link}, the same code every time", async () => {
    const first = await call<{ code: string; link: string }>(getReferral, "/api/v1/members/api-referrer/referral", {
      key: h.key,
      params: { externalId: "api-referrer" },
    });
    expect(first.status).toBe(200);
    expect(first.body.code).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$/);
    expect(first.body.link).toBe(`http://localhost/sign-up?ref=${first.body.code}`);
    code = first.body.code;
    const again = await call(getReferral, "/api/v1/members/api-referrer/referral", { key: h.key, params: { externalId: "api-referrer" } });
    expect(again.body).toEqual(first.body);
    expectError(await call(getReferral, "/api/v1/members/nobody/referral", { key: h.key, params: { externalId: "nobody" } }), 404, "member_not_found");
    expectError(await call(getReferral, "/api/v1/members/a b/referral", { key: h.key, params: { externalId: "a b" } }), 400, "validation_failed", "externalId");
    expect((await call(postReferral, "/api/v1/members/api-referrer/referral", { key: h.key, params: { externalId: "api-referrer" }, body: {} })).status).toBe(
      405,
    );
  });

  it("needs members:read for the link and members:write to create with a code", async () => {
    const events = await h.keyWith(["events:write"]);
    expectError(await call(getReferral, "/x", { key: events, params: { externalId: "api-referrer" } }), 403, "forbidden");
    expectError(await call(createMember, "/api/v1/members", { key: events, body: { externalId: "api-friend-0", referralCode: code } }), 403, "forbidden");
  });

  it("POST /api/v1/members with a referralCode attributes the new member; the first purchase rewards both", async () => {
    const created = await call(createMember, "/api/v1/members", { key: h.key, body: { externalId: "api-friend-1", referralCode: code.toLowerCase() } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ externalId: "api-friend-1", referral: { status: "pending" } });
    const bought = await call(postEvent, "/api/v1/events", {
      key: h.key,
      body: { type: "purchase", memberExternalId: "api-friend-1", referenceId: "api-f1-p1", amountCents: 1000 },
    });
    expect(bought.status).toBe(201);
    expect(bought.body).toMatchObject({ points: 10, referral: { status: "rewarded", referrerPoints: 500, refereePoints: 250 } });
    // An existing member with a code: kept as refused.
    const existing = await call(createMember, "/api/v1/members", { key: h.key, body: { externalId: "api-referrer", referralCode: code } });
    expect(existing.status).toBe(200);
    expect(existing.body).toMatchObject({ referral: { status: "refused", reason: "self_referral" } });
  });

  it("a purchase event may carry referralCode (only a purchase)", async () => {
    await call(createMember, "/api/v1/members", { key: h.key, body: { externalId: "api-friend-2" } });
    const bought = await call(postEvent, "/api/v1/events", {
      key: h.key,
      body: { type: "purchase", memberExternalId: "api-friend-2", referenceId: "api-f2-p1", amountCents: 1000, referralCode: code },
    });
    expect(bought.body).toMatchObject({ referral: { status: "rewarded" } });
    const before = await everything(h);
    expectError(
      await call(postEvent, "/api/v1/events", {
        key: h.key,
        body: { type: "review", memberExternalId: "api-friend-2", referenceId: "api-f2-r", referralCode: code },
      }),
      400,
      "validation_failed",
      "referralCode",
    );
    expectError(
      await call(postEvent, "/api/v1/events", {
        key: h.key,
        body: { type: "purchase", memberExternalId: "api-friend-2", referenceId: "api-f2-p2", amountCents: 100, referralCode: 7 },
      }),
      400,
      "validation_failed",
      "referralCode",
    );
    expect(await everything(h)).toEqual(before);
  });

  it.each([
    ["an unknown code", { externalId: "api-bad-1", referralCode: "ZZZZZZZZ" }, 422, "unprocessable", "referralCode"],
    ["a code that cannot be one", { externalId: "api-bad-2", referralCode: "not a code" }, 400, "validation_failed", "referralCode"],
    ["a number as code", { externalId: "api-bad-3", referralCode: 12345678 }, 400, "validation_failed", "referralCode"],
    ["an empty code", { externalId: "api-bad-4", referralCode: " " }, 400, "validation_failed", "referralCode"],
    ["a 1 KB code", { externalId: "api-bad-5", referralCode: "A".repeat(1024) }, 400, "validation_failed", "referralCode"],
  ])("POST /api/v1/members refuses %s, naming the field, and changes nothing", async (_name, body, status, error, field) => {
    const before = await everything(h);
    expectError(await call(createMember, "/api/v1/members", { key: h.key, body }), status, error, field);
    expect(await everything(h)).toEqual(before);
  });

  it("PATCH /api/v1/program changes the referral settings, validated and audited", async () => {
    const changed = await call(patchProgram, "/api/v1/program", {
      key: h.key,
      method: "PATCH",
      body: { referrerRewardPoints: 100, refereeRewardPoints: 50, referralRefundWindowDays: 14, referralMonthlyLimit: 2 },
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ referrerRewardPoints: 100, refereeRewardPoints: 50, referralRefundWindowDays: 14, referralMonthlyLimit: 2 });
    expect((await call(getProgram, "/api/v1/program", { key: h.key })).body).toMatchObject({ referralMonthlyLimit: 2 });
    const [audit] = await queryRows<{ n: number }>(h.t.db, sql`SELECT count(*)::int AS n FROM audit_log WHERE action = 'program.update'`);
    expect(audit!.n).toBe(1);
  });

  it.each([
    ["a negative reward", { referrerRewardPoints: -1 }, "referrerRewardPoints"],
    ["a fractional reward", { refereeRewardPoints: 2.5 }, "refereeRewardPoints"],
    ["a reward over the maximum", { refereeRewardPoints: 1_000_001 }, "refereeRewardPoints"],
    ["a window of a string", { referralRefundWindowDays: "30" }, "referralRefundWindowDays"],
    ["a window over a year", { referralRefundWindowDays: 366 }, "referralRefundWindowDays"],
    ["a negative monthly limit", { referralMonthlyLimit: -3 }, "referralMonthlyLimit"],
    ["a null monthly limit", { referralMonthlyLimit: null }, "referralMonthlyLimit"],
  ])("PATCH /api/v1/program refuses %s, naming the field, and changes nothing", async (_name, body, field) => {
    const before = await everything(h);
    expectError(await call(patchProgram, "/api/v1/program", { key: h.key, method: "PATCH", body }), 400, "validation_failed", field);
    expect(await everything(h)).toEqual(before);
  });
});
