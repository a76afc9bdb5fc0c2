import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { users, verificationTokens } from "@/db/schema";
import { MEMBER_LINK_TTL_MS, memberLinkIdentifier } from "@/lib/auth/member-link-token";
import { resendMemberLink } from "@/lib/auth/resend-member-link";
import { signUp, signUpSchema } from "@/lib/auth/sign-up";
import { verifyMemberLink } from "@/lib/auth/verify-member-link";
import { ensureMember } from "@/lib/loyalty/members/ensure-member";
import { createTestDatabase, type TestDatabase } from "../support/test-database";

const T0 = new Date("2026-03-01T12:00:00Z");
const later = (ms: number) => new Date(T0.getTime() + ms);
let n = 0;

describe("member link by emailed token", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  /** A member the shop created, and a sign-up with its email waiting for the link. */
  async function pendingSignUp() {
    const email = `pending-${++n}@example.com`;
    const { member } = await ensureMember(t.db, { externalId: `shop-link-${n}`, email, name: "Shopper" });
    const result = await signUp(t.db, signUpSchema.parse({ name: "Shopper", email, password: "password-one-1" }), T0);
    if (!result.ok || result.status !== "pending") throw new Error(`expected a pending sign-up, got ${JSON.stringify(result)}`);
    return { memberId: member.id, userId: result.userId, token: result.token };
  }

  async function linkedMember(userId: string) {
    const [row] = await t.db.select({ memberId: users.memberId, emailVerified: users.emailVerified }).from(users).where(eq(users.id, userId));
    return row!;
  }

  it("links the member only with the right token, for the user it was issued to, once", async () => {
    const p = await pendingSignUp();
    const other = await pendingSignUp();

    expect(await verifyMemberLink(t.db, p.userId, "x".repeat(43), later(1000))).toEqual({ ok: false, reason: "invalid" });
    expect(await verifyMemberLink(t.db, p.userId, "not a token", later(1000))).toEqual({ ok: false, reason: "invalid" });
    expect(await verifyMemberLink(t.db, p.userId, undefined, later(1000))).toEqual({ ok: false, reason: "invalid" });
    // Another account's token, or this token presented by another account (the victim clicking the attacker's link).
    expect(await verifyMemberLink(t.db, p.userId, other.token, later(1000))).toEqual({ ok: false, reason: "invalid" });
    expect(await verifyMemberLink(t.db, other.userId, p.token, later(1000))).toEqual({ ok: false, reason: "invalid" });
    expect(await linkedMember(p.userId)).toEqual({ memberId: null, emailVerified: null });
    expect(await linkedMember(other.userId)).toEqual({ memberId: null, emailVerified: null });

    expect(await verifyMemberLink(t.db, p.userId, p.token, later(1000))).toEqual({ ok: true, memberId: p.memberId });
    expect(await linkedMember(p.userId)).toEqual({ memberId: p.memberId, emailVerified: later(1000) });

    // Single use: the token is gone.
    expect(await verifyMemberLink(t.db, p.userId, p.token, later(2000))).toEqual({ ok: false, reason: "invalid" });
    expect(
      await t.db
        .select()
        .from(verificationTokens)
        .where(eq(verificationTokens.identifier, memberLinkIdentifier(p.userId))),
    ).toHaveLength(0);
  });

  it("refuses an expired token and spends it", async () => {
    const p = await pendingSignUp();
    expect(await verifyMemberLink(t.db, p.userId, p.token, later(MEMBER_LINK_TTL_MS))).toEqual({ ok: false, reason: "expired" });
    expect(await verifyMemberLink(t.db, p.userId, p.token, later(1000))).toEqual({ ok: false, reason: "invalid" });
    expect((await linkedMember(p.userId)).memberId).toBeNull();
  });

  it("refuses when another user claimed the member meanwhile", async () => {
    const p = await pendingSignUp();
    await t.db.insert(users).values({ email: `staff-linked-${n}@example.com`, memberId: p.memberId });
    expect(await verifyMemberLink(t.db, p.userId, p.token, later(1000))).toEqual({ ok: false, reason: "claimed" });
    expect((await linkedMember(p.userId)).memberId).toBeNull();
  });

  it("links once when the same link is opened many times at once", async () => {
    const p = await pendingSignUp();
    const pools = Array.from({ length: 6 }, () => t.connect(1).db);
    const results = await Promise.all(pools.map((db) => verifyMemberLink(db, p.userId, p.token, later(1000))));
    expect(results.filter((r) => r.ok)).toEqual([{ ok: true, memberId: p.memberId }]);
    expect(results.filter((r) => !r.ok)).toHaveLength(5);
    expect(await t.db.select({ id: users.id }).from(users).where(eq(users.memberId, p.memberId))).toEqual([{ id: p.userId }]);
  });

  it("sends a new link at most once a minute, and the new one replaces the old", async () => {
    const p = await pendingSignUp();
    expect(await resendMemberLink(t.db, p.userId, later(30_000))).toEqual({ status: "too_soon", retryAfterSeconds: 30 });
    const resent = await resendMemberLink(t.db, p.userId, later(61_000));
    expect(resent).toMatchObject({ status: "sent", email: `pending-${n}@example.com`, expiresAt: later(61_000 + MEMBER_LINK_TTL_MS) });
    if (resent.status !== "sent") return;
    expect(await verifyMemberLink(t.db, p.userId, p.token, later(62_000))).toEqual({ ok: false, reason: "invalid" });
    expect(await verifyMemberLink(t.db, p.userId, resent.token, later(62_000))).toEqual({ ok: true, memberId: p.memberId });
    expect(await resendMemberLink(t.db, p.userId, later(200_000))).toEqual({ status: "linked", memberId: p.memberId });
  });

  it("a resend after the member was claimed elsewhere enrols a new member instead of waiting forever", async () => {
    const p = await pendingSignUp();
    await t.db.insert(users).values({ email: `other-claim-${n}@example.com`, memberId: p.memberId });
    const out = await resendMemberLink(t.db, p.userId, later(61_000));
    expect(out).toMatchObject({ status: "linked" });
    if (out.status === "linked") expect(out.memberId).not.toBe(p.memberId);
  });
});
