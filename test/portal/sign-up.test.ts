import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { members, pointBalances, userRoles, users } from "@/db/schema";
import { verifyPassword } from "@/lib/auth/password";
import { signUp, signUpSchema } from "@/lib/auth/sign-up";
import { ensureMember } from "@/lib/loyalty/members";
import { createTestDatabase, type TestDatabase } from "../support/test-database";

describe("signUp", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  it("enrols a new member with a balance, role member and a hashed password", async () => {
    const input = signUpSchema.parse({ name: "Nina", email: "Nina@Example.com", password: "long enough" });
    const result = await signUp(t.db, input);
    expect(result).toMatchObject({ ok: true, linkedExisting: false });
    if (!result.ok) return;
    const [user] = await t.db.select().from(users).where(eq(users.id, result.userId));
    expect(user).toMatchObject({ email: "nina@example.com", memberId: result.memberId });
    expect(user!.passwordHash).not.toContain("long enough");
    expect(await verifyPassword("long enough", user!.passwordHash!)).toBe(true);
    expect(await t.db.select({ role: userRoles.role }).from(userRoles).where(eq(userRoles.userId, result.userId))).toEqual([{ role: "member" }]);
    const [balance] = await t.db.select().from(pointBalances).where(eq(pointBalances.memberId, result.memberId));
    expect(balance?.availablePoints).toBe(0);
  });

  it("links to the existing member with the same email, once", async () => {
    const { member } = await ensureMember(t.db, { externalId: "shop-42", email: "Owen@Example.com", name: "Owen" });
    const first = await signUp(t.db, signUpSchema.parse({ name: "Owen", email: "owen@example.com", password: "password1" }));
    expect(first).toMatchObject({ ok: true, linkedExisting: true, memberId: member.id });
    const again = await signUp(t.db, signUpSchema.parse({ name: "Owen", email: "OWEN@example.com", password: "password2" }));
    expect(again).toEqual({ ok: false, reason: "email_taken" });
  });

  it("writes nothing when two sign-ups race for one email", async () => {
    const input = signUpSchema.parse({ name: "Race", email: "race@example.com", password: "password1" });
    const results = await Promise.all([signUp(t.db, input), signUp(t.db, input), signUp(t.db, input)]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const rows = await t.db.select().from(users).where(eq(users.email, "race@example.com"));
    expect(rows).toHaveLength(1);
    // The losers' enrolments were rolled back with them: one member for that email.
    const enrolled = await t.db.select().from(members).where(sql`lower(${members.email}) = 'race@example.com'`);
    expect(enrolled).toHaveLength(1);
  });

  it("validates the form", () => {
    const bad = signUpSchema.safeParse({ name: "", email: "nope", password: "short" });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.path[0]).sort()).toEqual(["email", "name", "password"]);
  });
});
