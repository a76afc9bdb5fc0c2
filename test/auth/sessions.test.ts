import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, userRoles, users } from "@/db/schema";
import { changePassword, PASSWORD_RESET_TTL_MS, requestPasswordReset, signOutEverywhere } from "@/lib/auth/account-security";
import { verifyCredentials } from "@/lib/auth/credentials";
import { hashPassword } from "@/lib/auth/password";
import { setPasswordFromLink } from "@/lib/auth/password-link";
import { currentSessionVersion, loadSessionUser } from "@/lib/auth/session-user";
import { memoryThrottle } from "@/lib/auth/sign-in-throttle";
import { createTestDatabase, type TestDatabase } from "../support/test-database";

const OLD = "old password is long";
const NEW = "new password is longer";

describe("sessions end at once", () => {
  let t: TestDatabase;
  let n = 0;
  async function user(roles: Array<"member" | "support" | "admin"> = ["member"]) {
    const email = `s${n++}@example.com`;
    const [row] = await t.db
      .insert(users)
      .values({ email, name: "S", passwordHash: await hashPassword(OLD) })
      .returning();
    await t.db.insert(userRoles).values(roles.map((role) => ({ userId: row!.id, role })));
    return { id: row!.id, email };
  }
  /** What a session cookie issued now would carry. */
  const issue = (id: string) => currentSessionVersion(t.db, id);

  beforeAll(async () => {
    t = await createTestDatabase({ poolMax: 20 });
  });
  afterAll(() => t.drop());

  it("a cookie works while its version is the user's, and cookies from before versions count as 0", async () => {
    const u = await user();
    expect(await loadSessionUser(t.db, u.id, await issue(u.id))).toMatchObject({ id: u.id });
    expect(await loadSessionUser(t.db, u.id, undefined)).toMatchObject({ id: u.id });
  });

  it("sign out everywhere ends every session, is audited, and a new sign-in works", async () => {
    const u = await user();
    const cookie = await issue(u.id);
    await signOutEverywhere(t.db, u.id);
    expect(await loadSessionUser(t.db, u.id, cookie)).toBeNull();
    expect(await loadSessionUser(t.db, u.id, await issue(u.id))).toMatchObject({ id: u.id });
    expect(
      await t.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.targetId, u.id), eq(auditLog.action, "user.sign_out_everywhere"))),
    ).toHaveLength(1);
  });

  it("ten concurrent 'sign out everywhere' each bump the version (no lost update)", async () => {
    const u = await user();
    const before = await issue(u.id);
    await Promise.all(Array.from({ length: 10 }, () => signOutEverywhere(t.db, u.id)));
    expect(await issue(u.id)).toBe(before + 10);
  });

  it("a removed role ends the sessions (trigger), a granted one does not", async () => {
    const u = await user(["member", "support"]);
    const cookie = await issue(u.id);
    await t.db.insert(userRoles).values({ userId: u.id, role: "admin" });
    expect(await loadSessionUser(t.db, u.id, cookie)).toMatchObject({ roles: ["member", "support", "admin"] });
    await t.db.delete(userRoles).where(and(eq(userRoles.userId, u.id), eq(userRoles.role, "support")));
    expect(await loadSessionUser(t.db, u.id, cookie)).toBeNull();
    expect(await loadSessionUser(t.db, u.id, await issue(u.id))).toMatchObject({ roles: ["member", "admin"] });
  });

  it("a password change needs the current password, ends the other sessions and the old password", async () => {
    const u = await user();
    const cookie = await issue(u.id);
    expect(await changePassword(t.db, u.id, { currentPassword: "not it at all", newPassword: NEW })).toEqual({ ok: false, reason: "wrong_password" });
    expect(await loadSessionUser(t.db, u.id, cookie)).not.toBeNull();
    expect(await changePassword(t.db, u.id, { currentPassword: OLD, newPassword: NEW })).toEqual({ ok: true });
    expect(await loadSessionUser(t.db, u.id, cookie)).toBeNull();
    const throttle = memoryThrottle();
    expect(await verifyCredentials(t.db, throttle, { email: u.email, password: OLD }, "203.0.113.1")).toMatchObject({ ok: false });
    expect(await verifyCredentials(t.db, throttle, { email: u.email, password: NEW }, "203.0.113.1")).toMatchObject({ ok: true });
  });

  it("of two concurrent changes from the same current password, exactly one wins", async () => {
    const u = await user();
    const results = await Promise.all([
      changePassword(t.db, u.id, { currentPassword: OLD, newPassword: "first new password" }),
      changePassword(t.db, u.id, { currentPassword: OLD, newPassword: "second new password" }),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it("a reset link: same answer for unknown emails, one per minute, one hour valid, ends the sessions when used", async () => {
    const u = await user();
    const cookie = await issue(u.id);
    const now = new Date();
    expect(await requestPasswordReset(t.db, "nobody@example.com", now)).toEqual({ status: "skipped", reason: "unknown" });
    const sent = await requestPasswordReset(t.db, u.email.toUpperCase(), now);
    expect(sent).toMatchObject({ status: "sent", userId: u.id });
    if (sent.status !== "sent") throw new Error("unreachable");
    expect(sent.expiresAt.getTime() - now.getTime()).toBe(PASSWORD_RESET_TTL_MS);
    expect(await requestPasswordReset(t.db, u.email, new Date(now.getTime() + 30_000))).toEqual({ status: "skipped", reason: "too_soon" });
    // The session is untouched until the link is used…
    expect(await loadSessionUser(t.db, u.id, cookie)).not.toBeNull();
    expect(await setPasswordFromLink(t.db, { userId: u.id, token: sent.token, password: NEW }, new Date(now.getTime() + 60_000))).toMatchObject({ ok: true });
    // …then every session ends, and the link is spent.
    expect(await loadSessionUser(t.db, u.id, cookie)).toBeNull();
    expect(await setPasswordFromLink(t.db, { userId: u.id, token: sent.token, password: "another new password" })).toMatchObject({ ok: false });
  });

  it("a reset link expires after an hour", async () => {
    const u = await user();
    const now = new Date();
    const sent = await requestPasswordReset(t.db, u.email, now);
    if (sent.status !== "sent") throw new Error("not sent");
    expect(await setPasswordFromLink(t.db, { userId: u.id, token: sent.token, password: NEW }, new Date(now.getTime() + PASSWORD_RESET_TTL_MS + 1))).toEqual({
      ok: false,
      reason: "expired",
    });
  });
});
