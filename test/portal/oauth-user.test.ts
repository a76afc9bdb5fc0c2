import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { userRoles, users, verificationTokens } from "@/db/schema";
import { memberLinkIdentifier } from "@/lib/auth/member-link-token";
import { onOAuthUserCreated } from "@/lib/auth/oauth-user";
import { ensureMember } from "@/lib/loyalty/members/ensure-member";
import { createTestDatabase, type TestDatabase } from "../support/test-database";

describe("a user created by the OIDC provider", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  async function oauthUser(email: string) {
    const [user] = await t.db.insert(users).values({ email, name: "SSO" }).returning({ id: users.id });
    await onOAuthUserCreated(t.db, user!.id);
    const [row] = await t.db.select({ memberId: users.memberId }).from(users).where(eq(users.id, user!.id));
    const roles = await t.db.select({ role: userRoles.role }).from(userRoles).where(eq(userRoles.userId, user!.id));
    return { id: user!.id, memberId: row!.memberId, roles: roles.map((r) => r.role) };
  }

  it("is enrolled as a new member when nobody has the email", async () => {
    const u = await oauthUser("sso-new@example.com");
    expect(u.roles).toEqual(["member"]);
    expect(u.memberId).not.toBeNull();
  });

  it("is not linked to an existing member by the provider's email: it waits for the emailed link", async () => {
    await ensureMember(t.db, { externalId: "shop-sso", email: "SSO-Existing@example.com" });
    const u = await oauthUser("sso-existing@example.com");
    expect(u).toMatchObject({ memberId: null, roles: ["member"] });
    // The link is sent when they ask for it on /check-email.
    expect(
      await t.db
        .select()
        .from(verificationTokens)
        .where(eq(verificationTokens.identifier, memberLinkIdentifier(u.id))),
    ).toHaveLength(0);
  });
});
