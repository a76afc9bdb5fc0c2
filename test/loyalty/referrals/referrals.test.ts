import { describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import { auditLog, members, referrals, users } from "@/db/schema";
import { signUp } from "@/lib/auth/sign-up";
import { recordEvent, recordEvents } from "@/lib/loyalty/accrual/record-events";
import { ensureMember } from "@/lib/loyalty/members/ensure-member";
import { changeProgramSettings } from "@/lib/loyalty/program/change-program-settings";
import { redeemPoints } from "@/lib/loyalty/redemption/redeem-points";
import { createMemberWithReferral, getReferralLink, referralsOfMember } from "@/lib/loyalty/referrals/referral-codes";
import { normalizeReferralCode } from "@/lib/loyalty/rules/referrals";
import { ACTOR, NOW, codeOf, purchase, useLedgerDatabase } from "../support/ledger";

const DAY = 24 * 60 * 60 * 1000;
const system = { kind: "system", name: "test" } as const;
const at = (days: number) => new Date(NOW.getTime() + days * DAY);
const ctx = (now = NOW) => ({ ...ACTOR, now });

describe("referrals (docs/ledger.md, Referrals)", () => {
  const t = useLedgerDatabase();
  let n = 0;
  /** A referrer with its code, and a fresh external id for a referee. */
  async function referrer(email?: string) {
    const id = `ref-${++n}`;
    await ensureMember(t.db, { externalId: id, email: email ?? `${id}@example.com` });
    const { code, link } = await getReferralLink(t.db, id, "https://loyalty.test");
    return { id, code, link };
  }
  const recordOf = async (refereeExternalId: string) => {
    const [row] = await t.db
      .select({ r: referrals })
      .from(referrals)
      .innerJoin(members, eq(members.id, referrals.refereeMemberId))
      .where(eq(members.externalId, refereeExternalId));
    return row?.r;
  };
  const balanceOf = async (_db: unknown, externalId: string) => {
    const [row] = await queryRows<{ p: string }>(
      t.db,
      sql`SELECT b.available_points AS p FROM point_balances b JOIN members m ON m.id = b.member_id WHERE m.external_id = ${externalId}`,
    );
    return Number(row!.p);
  };
  const rowsOf = (externalId: string, type: string) =>
    queryRows<{ amount: string; remaining: string | null; expires_at: Date | null }>(
      t.db,
      sql`SELECT t.amount, t.remaining, t.expires_at FROM point_transactions t JOIN members m ON m.id = t.member_id
          WHERE m.external_id = ${externalId} AND t.reference_type = ${type} ORDER BY t.id`,
    );

  it("gives each member one code, made lazily, and a link", async () => {
    const a = await referrer();
    expect(a.code).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$/);
    expect(a.link).toBe(`https://loyalty.test/sign-up?ref=${a.code}`);
    expect((await getReferralLink(t.db, a.id, "https://loyalty.test/")).code).toBe(a.code);
    expect(normalizeReferralCode(` ${a.code.toLowerCase()} `)).toBe(a.code);
    expect(await getReferralLink(t.db, "nobody", "https://x").catch(codeOf)).toBe("member_not_found");
  });

  it("validates and audits the referral settings", async () => {
    expect(await changeProgramSettings(t.db, system, { referrerRewardPoints: -1 }).catch((e: unknown) => e)).toMatchObject({
      code: "validation_failed",
      field: "referrerRewardPoints",
    });
    expect(await changeProgramSettings(t.db, system, { referralRefundWindowDays: 366 }).catch((e: unknown) => e)).toMatchObject({
      field: "referralRefundWindowDays",
    });
    expect(await changeProgramSettings(t.db, system, { referralMonthlyLimit: 1.5 }).catch((e: unknown) => e)).toMatchObject({ field: "referralMonthlyLimit" });
    const view = await changeProgramSettings(t.db, system, { referrerRewardPoints: 300, refereeRewardPoints: 200, referralMonthlyLimit: 3 }, "referral launch");
    expect(view).toMatchObject({ referrerRewardPoints: 300, refereeRewardPoints: 200, referralRefundWindowDays: 30, referralMonthlyLimit: 3 });
    const entries = await t.db.select().from(auditLog).where(eq(auditLog.action, "program.update"));
    expect(entries.at(-1)).toMatchObject({ reason: "referral launch", before: { referrerRewardPoints: 500 }, after: { referrerRewardPoints: 300 } });
  });

  it("rewards both sides on the referee's first purchase, not at sign-up, once", async () => {
    const a = await referrer();
    const created = await createMemberWithReferral(t.db, { externalId: "friend-1", referralCode: a.code.toLowerCase() }, NOW);
    expect(created).toMatchObject({ created: true, referral: { status: "pending", source: "signup" } });
    expect(await balanceOf(t.db, a.id)).toBe(0);
    const first = await recordEvent(t.db, purchase("friend-1", "f1-p1", 1000), ctx());
    expect(first.referral).toEqual({ status: "rewarded", referrerPoints: 300, refereePoints: 200 });
    expect(await balanceOf(t.db, a.id)).toBe(300);
    expect(await balanceOf(t.db, "friend-1")).toBe(210);
    const [reward] = await rowsOf(a.id, "referral_referrer");
    expect(reward).toMatchObject({ amount: "300", remaining: "300" });
    expect(new Date(reward!.expires_at!).toISOString()).toBe("2027-06-15T12:00:00.000Z");
    // A second purchase and a replay of the first reward nothing more.
    expect((await recordEvent(t.db, purchase("friend-1", "f1-p2", 1000), ctx())).referral).toBeUndefined();
    expect((await recordEvent(t.db, purchase("friend-1", "f1-p1", 1000), ctx())).duplicate).toBe(true);
    expect(await balanceOf(t.db, a.id)).toBe(300);
    expect(await recordOf("friend-1")).toMatchObject({ status: "rewarded", referrerPoints: 300, refereePoints: 200 });
    expect(await referralsOfMember(t.db, a.id)).toMatchObject([{ direction: "referred", otherExternalId: "friend-1", status: "rewarded", points: 300 }]);
    expect(await referralsOfMember(t.db, "friend-1")).toMatchObject([{ direction: "referred_by", otherExternalId: a.id, points: 200 }]);
  });

  it("attributes a portal sign-up that came by the link (?ref=); an unknown code refuses nothing", async () => {
    const a = await referrer();
    const joined = await signUp(t.db, { name: "Sam Signup", email: "sam-signup@example.com", password: "correct horse battery" }, NOW, {
      referralCode: a.code,
    });
    expect(joined).toMatchObject({ ok: true, status: "enrolled" });
    const [sam] = await t.db.select().from(members).where(eq(members.email, "sam-signup@example.com"));
    expect(await recordOf(sam!.externalId)).toMatchObject({ source: "signup", status: "pending" });
    expect((await recordEvent(t.db, purchase(sam!.externalId, "sam-p1", 1000), ctx())).referral?.status).toBe("rewarded");
    const other = await signUp(t.db, { name: "Una Known", email: "una-known@example.com", password: "correct horse battery" }, NOW, {
      referralCode: "ZZZZZZZZ",
    });
    expect(other).toMatchObject({ ok: true, status: "enrolled" });
    const [una] = await t.db.select().from(members).where(eq(members.email, "una-known@example.com"));
    expect(await recordOf(una!.externalId)).toBeUndefined();
  });

  it("attributes by a first purchase carrying the code, and rewards that purchase", async () => {
    const a = await referrer();
    await ensureMember(t.db, { externalId: "friend-2" });
    const result = await recordEvent(t.db, { ...purchase("friend-2", "f2-p1", 500), referralCode: a.code }, ctx());
    expect(result.referral).toEqual({ status: "rewarded", referrerPoints: 300, refereePoints: 200 });
    expect(await recordOf("friend-2")).toMatchObject({ source: "purchase", status: "rewarded" });
    expect(await balanceOf(t.db, "friend-2")).toBe(205);
  });

  it("refuses an unknown code at sign-up, creating nothing; on a purchase it records the purchase only", async () => {
    expect(await createMemberWithReferral(t.db, { externalId: "friend-x", referralCode: "ZZZZZZZZ" }).catch((e: unknown) => e)).toMatchObject({
      code: "unprocessable",
      field: "referralCode",
    });
    expect(await createMemberWithReferral(t.db, { externalId: "friend-x", referralCode: "bad code" }).catch((e: unknown) => e)).toMatchObject({
      code: "validation_failed",
      field: "referralCode",
    });
    expect(await t.db.select().from(members).where(eq(members.externalId, "friend-x"))).toEqual([]);
    await ensureMember(t.db, { externalId: "friend-y" });
    const result = await recordEvent(t.db, { ...purchase("friend-y", "fy-p1", 500), referralCode: "ZZZZZZZZ" }, ctx());
    expect(result).toMatchObject({ points: 5, referral: { status: "unknown_code" } });
    expect(await recordOf("friend-y")).toBeUndefined();
  });

  it("refuses self-referral: the same member, the same email, the same sign-in account", async () => {
    const a = await referrer("Pat@Example.com");
    // The same member, by its own code.
    const self = await createMemberWithReferral(t.db, { externalId: a.id, referralCode: a.code });
    expect(self.referral).toMatchObject({ status: "refused", refusalReason: "self_referral" });
    // Another member with the same email (letter case aside).
    const twin = await createMemberWithReferral(t.db, { externalId: "twin-1", email: "pat@example.COM", referralCode: a.code });
    expect(twin.referral).toMatchObject({ status: "refused", refusalReason: "self_referral" });
    // The referrer's sign-in account has the referee's email.
    const b = await referrer("b-member@example.com");
    const [bMember] = await t.db.select().from(members).where(eq(members.externalId, b.id));
    await t.db.insert(users).values({ id: "u-ref-b", email: "b-login@example.com", memberId: bMember!.id });
    const alias = await createMemberWithReferral(t.db, { externalId: "alias-1", email: "B-Login@example.com", referralCode: b.code });
    expect(alias.referral).toMatchObject({ status: "refused", refusalReason: "self_referral" });
    // A refused referee earns nothing on the purchase but its points.
    expect((await recordEvent(t.db, purchase("twin-1", "twin-p1", 1000), ctx())).referral).toBeUndefined();
    expect(await balanceOf(t.db, "twin-1")).toBe(10);
    expect(await balanceOf(t.db, a.id)).toBe(0);
    // By a purchase, the same email.
    await ensureMember(t.db, { externalId: "twin-2", email: "PAT@example.com" });
    expect((await recordEvent(t.db, { ...purchase("twin-2", "twin2-p1", 1000), referralCode: a.code }, ctx())).referral).toEqual({
      status: "refused",
      reason: "self_referral",
    });
    expect(await balanceOf(t.db, a.id)).toBe(0);
  });

  it("refuses a referee who was already a member", async () => {
    const a = await referrer();
    // Existed before the sign-up request.
    await ensureMember(t.db, { externalId: "old-1" });
    expect((await createMemberWithReferral(t.db, { externalId: "old-1", referralCode: a.code })).referral).toMatchObject({
      status: "refused",
      refusalReason: "already_member",
    });
    // Had ledger activity before the purchase carrying the code.
    await ensureMember(t.db, { externalId: "old-2" });
    await recordEvent(t.db, { type: "review", memberExternalId: "old-2", referenceId: "old2-rev" }, ctx());
    expect((await recordEvent(t.db, { ...purchase("old-2", "old2-p1", 1000), referralCode: a.code }, ctx())).referral).toEqual({
      status: "refused",
      reason: "already_member",
    });
    // An earlier event of the same batch counts.
    await ensureMember(t.db, { externalId: "old-3" });
    const [, second] = await recordEvents(t.db, [purchase("old-3", "old3-p0", 100), { ...purchase("old-3", "old3-p1", 1000), referralCode: a.code }], ctx());
    expect(second).toMatchObject({ ok: true, result: { referral: { status: "refused", reason: "already_member" } } });
    expect(await balanceOf(t.db, a.id)).toBe(0);
    expect(await recordOf("old-3")).toMatchObject({ status: "refused", refusalReason: "already_member" });
  });

  it("refuses more than the monthly limit of rewarded referrals per referrer", async () => {
    const a = await referrer();
    for (const i of [1, 2, 3, 4]) await createMemberWithReferral(t.db, { externalId: `lim-${i}`, referralCode: a.code });
    for (const i of [1, 2, 3]) expect((await recordEvent(t.db, purchase(`lim-${i}`, `lim-${i}-p`, 100), ctx())).referral?.status).toBe("rewarded");
    expect((await recordEvent(t.db, purchase("lim-4", "lim-4-p", 100), ctx())).referral).toEqual({ status: "refused", reason: "monthly_limit" });
    expect(await recordOf("lim-4")).toMatchObject({ status: "refused", refusalReason: "monthly_limit" });
    expect(await balanceOf(t.db, a.id)).toBe(900);
    // Next month counts again.
    await createMemberWithReferral(t.db, { externalId: "lim-5", referralCode: a.code });
    expect((await recordEvent(t.db, purchase("lim-5", "lim-5-p", 100, at(20).toISOString()), ctx(at(20)))).referral?.status).toBe("rewarded");
  });

  it("two concurrent first purchases of one referee from two connections: rewarded once", async () => {
    const a = await referrer();
    await createMemberWithReferral(t.db, { externalId: "race-1", referralCode: a.code });
    const other = t.connect(2).db;
    const results = await Promise.all([
      recordEvent(t.db, purchase("race-1", "race-p1", 1000), ctx()),
      recordEvent(other, purchase("race-1", "race-p2", 1000), ctx()),
    ]);
    expect(results.filter((r) => r.referral?.status === "rewarded")).toHaveLength(1);
    expect(await balanceOf(t.db, a.id)).toBe(300);
    expect(await balanceOf(t.db, "race-1")).toBe(220);
    expect(await rowsOf(a.id, "referral_referrer")).toHaveLength(1);
    expect(await rowsOf("race-1", "referral_referee")).toHaveLength(1);
  });

  it("a referee's first purchase racing batches that lock the referrer first: all recorded, rewarded once", async () => {
    const other = t.connect(4).db;
    for (const round of [1, 2, 3]) {
      const a = await referrer();
      const friend = `race-b-${round}`;
      await createMemberWithReferral(t.db, { externalId: friend, referralCode: a.code });
      // The batch locks the referrer (lower id) then the friend; the friend's purchase locks the friend, then the referrer.
      const [first, batch] = await Promise.all([
        recordEvent(t.db, purchase(friend, `${friend}-p1`, 1000), ctx()),
        recordEvents(other, [purchase(a.id, `${friend}-rp`, 500), { type: "review", memberExternalId: friend, referenceId: `${friend}-rv` }], ctx()),
      ]);
      expect(batch.every((o) => o.ok)).toBe(true);
      const rewarded = [first.referral, ...batch.map((o) => (o.ok ? o.result.referral : undefined))].filter((r) => r?.status === "rewarded");
      expect(rewarded).toHaveLength(1);
      expect(await balanceOf(t.db, a.id)).toBe(305);
      expect(await balanceOf(t.db, friend)).toBe(10 + 200 + 50);
    }
  });

  it("reverses both rewards when the purchase is refunded within the window, never below zero", async () => {
    const a = await referrer();
    await createMemberWithReferral(t.db, { externalId: "rf-1", referralCode: a.code });
    await recordEvent(t.db, purchase("rf-1", "rf1-p", 1000), ctx());
    // The referrer spent 250 of its 300.
    await redeemPoints(t.db, { memberExternalId: a.id, points: 250, referenceId: "rf-spend" }, ctx());
    const refunded = await recordEvent(
      t.db,
      { type: "refund", memberExternalId: "rf-1", referenceId: "rf1-r", originalReferenceId: "rf1-p", amountCents: 500, occurredAt: at(30).toISOString() },
      ctx(at(30)),
    );
    expect(refunded.referral).toEqual({ status: "reversed", referrerPoints: -50, refereePoints: -200 });
    expect(await balanceOf(t.db, a.id)).toBe(0);
    expect(await balanceOf(t.db, "rf-1")).toBe(5);
    expect(await recordOf("rf-1")).toMatchObject({ status: "reversed", referrerPointsReversed: 50, refereePointsReversed: 200 });
    // A second refund changes nothing more.
    const again = await recordEvent(
      t.db,
      { type: "refund", memberExternalId: "rf-1", referenceId: "rf1-r2", originalReferenceId: "rf1-p", amountCents: 500, occurredAt: at(30).toISOString() },
      ctx(at(30)),
    );
    expect(again.referral).toBeUndefined();
    expect(await balanceOf(t.db, a.id)).toBe(0);
  });

  it("keeps the rewards when the refund comes after the window", async () => {
    const a = await referrer();
    await createMemberWithReferral(t.db, { externalId: "rf-2", referralCode: a.code });
    await recordEvent(t.db, purchase("rf-2", "rf2-p", 1000), ctx());
    const late = at(30).getTime() + 1;
    const refunded = await recordEvent(
      t.db,
      {
        type: "refund",
        memberExternalId: "rf-2",
        referenceId: "rf2-r",
        originalReferenceId: "rf2-p",
        amountCents: 1000,
        occurredAt: new Date(late).toISOString(),
      },
      ctx(new Date(late)),
    );
    expect(refunded.referral).toEqual({ status: "rewarded", kept: true });
    expect(await balanceOf(t.db, a.id)).toBe(300);
    expect(await balanceOf(t.db, "rf-2")).toBe(200);
    expect(await recordOf("rf-2")).toMatchObject({ status: "rewarded" });
  });
});
