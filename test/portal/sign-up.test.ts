import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { members, pointBalances, userRoles, users, verificationTokens } from "@/db/schema";
import { hashMemberLinkToken, memberLinkIdentifier, MEMBER_LINK_TTL_MS } from "@/lib/auth/member-link-token";
import { verifyPassword } from "@/lib/auth/password";
import { loadSessionUser } from "@/lib/auth/session-user";
import { signUp, signUpSchema } from "@/lib/auth/sign-up";
import { ensureMember } from "@/lib/loyalty/members/ensure-member";
import { memberOf } from "@/lib/portal/actions/member-guard";
import { createTestDatabase, type TestDatabase } from "../support/test-database";

describe("signUp", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  it("enrols a new member at once, with a balance, role member and a hashed password", async () => {
    const input = signUpSchema.parse({ name: "Nina", email: "Nina@Example.com", password: "long enough, really" });
    const result = await signUp(t.db, input);
    expect(result).toMatchObject({ ok: true, status: "enrolled" });
    if (!result.ok || result.status !== "enrolled") return;
    const [user] = await t.db.select().from(users).where(eq(users.id, result.userId));
    expect(user).toMatchObject({ email: "nina@example.com", memberId: result.memberId });
    expect(user!.passwordHash).not.toContain("long enough, really");
    expect(await verifyPassword("long enough, really", user!.passwordHash!)).toBe(true);
    expect(await t.db.select({ role: userRoles.role }).from(userRoles).where(eq(userRoles.userId, result.userId))).toEqual([{ role: "member" }]);
    const [balance] = await t.db.select().from(pointBalances).where(eq(pointBalances.memberId, result.memberId));
    expect(balance?.availablePoints).toBe(0);
    // Nothing to verify: no token was issued.
    expect(
      await t.db
        .select()
        .from(verificationTokens)
        .where(eq(verificationTokens.identifier, memberLinkIdentifier(result.userId))),
    ).toHaveLength(0);
  });

  it("does not link an existing member by email: it issues a hashed, short-lived token and grants nothing", async () => {
    const { member } = await ensureMember(t.db, { externalId: "shop-42", email: "Owen@Example.com", name: "Owen" });
    const now = new Date("2026-03-01T12:00:00Z");
    const result = await signUp(t.db, signUpSchema.parse({ name: "Mallory", email: "owen@example.com", password: "password-one-1" }), now);
    expect(result).toMatchObject({ ok: true, status: "pending" });
    if (!result.ok || result.status !== "pending") return;
    expect(result.expiresAt).toEqual(new Date(now.getTime() + MEMBER_LINK_TTL_MS));

    const session = await loadSessionUser(t.db, result.userId);
    expect(session).toMatchObject({ memberId: null, roles: ["member"] });
    expect(memberOf(session)).toMatchObject({ ok: false, error: { formError: "Only members can do this." } });

    const tokens = await t.db
      .select()
      .from(verificationTokens)
      .where(eq(verificationTokens.identifier, memberLinkIdentifier(result.userId)));
    expect(tokens).toHaveLength(1);
    expect(tokens[0]!.token).toBe(hashMemberLinkToken(result.token));
    expect(tokens[0]!.token).not.toContain(result.token);
    // No other user holds the member either, and no second member was enrolled for the email.
    expect(await t.db.select().from(users).where(eq(users.memberId, member.id))).toHaveLength(0);
    expect(
      await t.db
        .select()
        .from(members)
        .where(sql`lower(${members.email}) = 'owen@example.com'`),
    ).toHaveLength(1);

    const again = await signUp(t.db, signUpSchema.parse({ name: "Owen", email: "OWEN@example.com", password: "password-two-2" }));
    expect(again).toEqual({ ok: false, reason: "email_taken" });
  });

  it("enrols a new member when the member with that email is already claimed", async () => {
    const { member } = await ensureMember(t.db, { externalId: "shop-claimed", email: "claimed@example.com" });
    await t.db.insert(users).values({ email: "someone-else@example.com", memberId: member.id });
    const result = await signUp(t.db, signUpSchema.parse({ name: "C", email: "claimed@example.com", password: "password-one-1" }));
    expect(result).toMatchObject({ ok: true, status: "enrolled" });
    if (result.ok && result.status === "enrolled") expect(result.memberId).not.toBe(member.id);
  });

  it("writes nothing when two sign-ups race for one email", async () => {
    const input = signUpSchema.parse({ name: "Race", email: "race@example.com", password: "password-one-1" });
    const results = await Promise.all([signUp(t.db, input), signUp(t.db, input), signUp(t.db, input)]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const rows = await t.db.select().from(users).where(eq(users.email, "race@example.com"));
    expect(rows).toHaveLength(1);
    // The losers' enrolments were rolled back with them: one member for that email.
    const enrolled = await t.db
      .select()
      .from(members)
      .where(sql`lower(${members.email}) = 'race@example.com'`);
    expect(enrolled).toHaveLength(1);
  });

  it("validates the form", () => {
    const bad = signUpSchema.safeParse({ name: "", email: "nope", password: "short" });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.path[0]).sort()).toEqual(["email", "name", "password"]);
    // New passwords need 12 characters: 11 is refused, 12 accepted.
    expect(signUpSchema.safeParse({ name: "N", email: "n@example.com", password: "a".repeat(11) }).error?.issues[0]?.message).toBe(
      "Use at least 12 characters.",
    );
    expect(signUpSchema.safeParse({ name: "N", email: "n@example.com", password: "a".repeat(12) }).success).toBe(true);
  });
});
