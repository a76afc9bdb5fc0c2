import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { auditLog, userRoles, users } from "@/db/schema";
import { verifyCredentials } from "@/lib/auth/credentials";
import { setPasswordFromLink } from "@/lib/auth/password-link";
import type { SessionUser } from "@/lib/auth/session-user";
import { memoryThrottle } from "@/lib/auth/sign-in-throttle";
import { addStaffForm, newPasswordLinkForm, saveStaffRolesForm } from "@/lib/auth/staff-account-forms";
import { createStaffAccount, listStaffAccounts } from "@/lib/auth/staff-accounts";
import { createMemberUser } from "../portal/fixtures";
import { createTestDatabase, type TestDatabase } from "../support/test-database";

const ORIGIN = "https://rewards.example.test";
const LINK = /https:\/\/rewards\.example\.test\/set-password\?user=([0-9a-f-]{36})&token=([A-Za-z0-9_-]{43})/;

describe("staff accounts page actions", () => {
  let t: TestDatabase;
  let admin: SessionUser;
  beforeAll(async () => {
    t = await createTestDatabase();
    const created = await createStaffAccount(t.db, "cli", { email: "boss@example.com", roles: ["admin"], password: "the boss's password" });
    admin = await sessionOf(created.user.id);
  });
  afterAll(() => t.drop());

  const snapshot = async () => ({
    users: await t.db.$count(users),
    roles: (await t.db.select().from(userRoles)).map((r) => `${r.userId}:${r.role}`).sort(),
    audit: await t.db.$count(auditLog),
  });
  /** What the next request would see of this user: the account and its roles as they are now. */
  const sessionOf = async (userId: string): Promise<SessionUser> => {
    const [u] = await t.db.select().from(users).where(eq(users.id, userId));
    const roles = (await t.db.select({ role: userRoles.role }).from(userRoles).where(eq(userRoles.userId, userId))).map((r) => r.role).sort();
    return { id: u!.id, email: u!.email ?? "", name: u!.name, memberId: u!.memberId, roles };
  };
  const rolesOf = async (userId: string) => (await sessionOf(userId)).roles;
  const auditOf = (userId: string) => t.db.select().from(auditLog).where(eq(auditLog.targetId, userId)).orderBy(auditLog.id);

  it("refuses signed-out visitors, members, support and marketing on the server, writing nothing", async () => {
    const pending = await createStaffAccount(t.db, "cli", { email: "pending@example.com", roles: ["support"] });
    const before = await snapshot();
    const callers = [
      null,
      await createMemberUser(t.db, ["member"]),
      await createMemberUser(t.db, ["support"]),
      await createMemberUser(t.db, ["marketing", "support"]),
    ];
    const afterFixtures = await snapshot();
    for (const caller of callers) {
      const expected = caller ? "You are not allowed to do this." : "Your session has ended. Please sign in again.";
      const add = await addStaffForm(t.db, caller, { values: { email: "sneaky@example.com", reason: "r" }, roles: ["admin"] }, ORIGIN);
      expect(add).toMatchObject({ status: "error", formError: expected });
      // Granting oneself admin through the roles form.
      const self = caller ? { userId: caller.id, reason: "promote me" } : { userId: admin.id, reason: "x" };
      expect(await saveStaffRolesForm(t.db, caller, { values: self, roles: ["admin"] })).toMatchObject({ status: "error", formError: expected });
      const demote = await saveStaffRolesForm(t.db, caller, { values: { userId: admin.id, reason: "coup" }, roles: [] });
      expect(demote).toMatchObject({ status: "error", formError: expected });
      const link = await newPasswordLinkForm(t.db, caller, { values: { userId: pending.user.id }, roles: [] }, ORIGIN);
      expect(link).toMatchObject({ status: "error", formError: expected });
      await expect(
        listStaffAccounts(t.db, caller ? { kind: "user", id: caller.id, roles: caller.roles } : { kind: "user", id: "x", roles: [] }),
      ).rejects.toThrow(/staff:manage/);
    }
    expect(await snapshot()).toEqual(afterFixtures);
    expect(afterFixtures.audit).toBe(before.audit);
    expect(await rolesOf(admin.id)).toEqual(["admin"]);
  });

  it("an admin adds a staff member: the one-time link is shown once, works, and the creation is audited with actor and reason", async () => {
    const out = await addStaffForm(
      t.db,
      admin,
      { values: { email: " Nia@Example.com ", name: "Nia", reason: "new support hire" }, roles: ["support", "marketing"] },
      ORIGIN,
    );
    expect(out.status).toBe("success");
    const message = out.status === "success" ? out.message : "";
    expect(message).toMatch(/^Created nia@example\.com \(support, marketing\)\. Send them this one-time link/);
    const [, userId, token] = message.match(LINK)!;
    expect(await setPasswordFromLink(t.db, { userId, token, password: "nia chooses this one" })).toMatchObject({ ok: true });
    expect((await verifyCredentials(t.db, memoryThrottle(), { email: "nia@example.com", password: "nia chooses this one" }, "10.2.0.1")).ok).toBe(true);
    expect(await rolesOf(userId!)).toEqual(["marketing", "support"]);
    expect((await auditOf(userId!))[0]).toMatchObject({
      actor: `user:${admin.id}`,
      action: "user.create",
      reason: "new support hire",
      after: { email: "nia@example.com", name: "Nia", roles: ["support", "marketing"], password: "one-time link" },
    });
  });

  it("needs a reason, a valid email and a known role: field errors, nothing written", async () => {
    const before = await snapshot();
    const noReason = await addStaffForm(t.db, admin, { values: { email: "x@example.com", reason: " " }, roles: ["support"] }, ORIGIN);
    expect(noReason).toMatchObject({ status: "error", fieldErrors: { reason: [expect.any(String)] } });
    const badEmail = await addStaffForm(t.db, admin, { values: { email: "not-an-email", reason: "r" }, roles: ["support"] }, ORIGIN);
    expect(badEmail).toMatchObject({ status: "error", fieldErrors: { email: ["Enter a valid email address."] } });
    const noRole = await addStaffForm(t.db, admin, { values: { email: "x@example.com", reason: "r" }, roles: [] }, ORIGIN);
    expect(noRole).toMatchObject({ status: "error", fieldErrors: { roles: [expect.any(String)] } });
    const badRole = await addStaffForm(t.db, admin, { values: { email: "x@example.com", reason: "r" }, roles: ["member"] }, ORIGIN);
    expect(badRole).toMatchObject({ status: "error", fieldErrors: { roles: [expect.stringMatching(/Unknown role/)] } });
    expect(await snapshot()).toEqual(before);
  });

  it("an email that already has an account (a member's) gets the roles granted, audited before/after", async () => {
    const shopper = await createMemberUser(t.db, ["member"]);
    const out = await addStaffForm(t.db, admin, { values: { email: shopper.email.toUpperCase(), reason: "shop manager" }, roles: ["support"] }, ORIGIN);
    expect(out).toMatchObject({ status: "success", message: `${shopper.email} already had an account: its roles are now member, support.` });
    expect(await rolesOf(shopper.id)).toEqual(["member", "support"]);
    expect((await auditOf(shopper.id)).at(-1)).toMatchObject({
      actor: `user:${admin.id}`,
      action: "user.grant_roles",
      reason: "shop manager",
      before: { roles: ["member"] },
      after: { roles: ["member", "support"] },
    });
  });

  it("saving roles grants and revokes with one audit entry each; the change applies to the next request", async () => {
    const [nia] = await t.db.select().from(users).where(eq(users.email, "nia@example.com"));
    const out = await saveStaffRolesForm(t.db, admin, { values: { userId: nia!.id, reason: "moved to admin" }, roles: ["admin", "support"] });
    expect(out).toMatchObject({ status: "success", message: "nia@example.com: marketing, support → admin, support." });
    const entries = (await auditOf(nia!.id)).slice(-2);
    expect(entries.map((e) => [e.action, e.reason, e.before, e.after])).toEqual([
      [
        "user.grant_roles",
        "moved to admin",
        { email: "nia@example.com", roles: ["marketing", "support"] },
        { email: "nia@example.com", roles: ["admin", "marketing", "support"] },
      ],
      [
        "user.revoke_roles",
        "moved to admin",
        { email: "nia@example.com", roles: ["admin", "marketing", "support"] },
        { email: "nia@example.com", roles: ["admin", "support"] },
      ],
    ]);
    // Nia, now an admin, can use the page; once her roles are gone she cannot, at once.
    const niaUser = await sessionOf(nia!.id);
    const byNia = await addStaffForm(t.db, niaUser, { values: { email: "by-nia@example.com", reason: "r" }, roles: ["support"] }, ORIGIN);
    expect(byNia, JSON.stringify(byNia)).toMatchObject({ status: "success" });
    expect(await saveStaffRolesForm(t.db, admin, { values: { userId: nia!.id, reason: "left the company" }, roles: [] })).toMatchObject({ status: "success" });
    const gone = await sessionOf(nia!.id);
    expect(gone.roles).toEqual([]);
    expect(await addStaffForm(t.db, gone, { values: { email: "after@example.com", reason: "r" }, roles: ["admin"] }, ORIGIN)).toMatchObject({
      formError: "You are not allowed to do this.",
    });
    expect((await listStaffAccounts(t.db, "cli")).map((a) => a.email)).not.toContain("nia@example.com");
  });

  it("the last admin cannot remove their own admin role", async () => {
    const out = await saveStaffRolesForm(t.db, admin, { values: { userId: admin.id, reason: "oops" }, roles: ["support"] });
    expect(out).toMatchObject({ status: "error", formError: "This is the last administrator: grant admin to someone else first." });
    expect(await rolesOf(admin.id)).toEqual(["admin"]);
  });

  it("a new link only for an account still without a password, so one admin cannot take over another's account", async () => {
    const [pending] = await t.db.select().from(users).where(eq(users.email, "pending@example.com"));
    const out = await newPasswordLinkForm(t.db, admin, { values: { userId: pending!.id }, roles: [] }, ORIGIN);
    expect(out.status).toBe("success");
    expect((await auditOf(pending!.id)).at(-1)).toMatchObject({ actor: `user:${admin.id}`, action: "user.password_link" });
    const other = await createStaffAccount(t.db, "cli", { email: "other-admin@example.com", roles: ["admin"], password: "other admin password" });
    const before = await snapshot();
    const refused = await newPasswordLinkForm(t.db, admin, { values: { userId: other.user.id }, roles: [] }, ORIGIN);
    expect(refused).toMatchObject({ status: "error", formError: expect.stringMatching(/has chosen its password/) });
    expect(await snapshot()).toEqual(before);
  });
});
