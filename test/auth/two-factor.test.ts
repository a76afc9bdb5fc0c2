import { and, eq } from "drizzle-orm";
import { generateSync } from "otplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, userRoles, users } from "@/db/schema";
import { verifyCredentials } from "@/lib/auth/credentials";
import { hashPassword } from "@/lib/auth/password";
import { loadSessionUser } from "@/lib/auth/session-user";
import { memoryThrottle } from "@/lib/auth/sign-in-throttle";
import { applyStaffMfa } from "@/lib/auth/staff-mfa";
import {
  beginEnrolment,
  confirmEnrolment,
  decryptTotpSecret,
  disableTwoFactor,
  encryptTotpSecret,
  RECOVERY_CODE_COUNT,
  verifySecondFactor,
} from "@/lib/auth/two-factor";
import { createTestDatabase, type TestDatabase } from "../support/test-database";

const PASSWORD = "staff password here";
const codeAt = (secret: string, at: Date) => generateSync({ secret, epoch: Math.floor(at.getTime() / 1000) });

describe("TOTP second factor", () => {
  let t: TestDatabase;
  let n = 0;
  /** A staff account with two-factor on; its secret and recovery codes. */
  async function enrolled() {
    const email = `mfa${n++}@example.com`;
    const [row] = await t.db
      .insert(users)
      .values({ email, passwordHash: await hashPassword(PASSWORD) })
      .returning();
    await t.db.insert(userRoles).values([{ userId: row!.id, role: "support" }]);
    const started = await beginEnrolment(t.db, row!.id);
    if (started.status !== "started") throw new Error("not started");
    // Confirmed with the code of the previous step, so the current one is still unused.
    const confirmed = await confirmEnrolment(t.db, row!.id, codeAt(started.secret, new Date(Date.now() - 30_000)));
    if (!confirmed.ok) throw new Error(`not confirmed: ${confirmed.reason}`);
    return { id: row!.id, email, secret: started.secret, recoveryCodes: confirmed.recoveryCodes, uri: started.uri };
  }

  beforeAll(async () => {
    t = await createTestDatabase({ poolMax: 20 });
  });
  afterAll(() => t.drop());

  it("the secret is stored encrypted; a tampered value does not decrypt", async () => {
    const u = await enrolled();
    const [row] = await t.db.select().from(users).where(eq(users.id, u.id));
    expect(row!.totpSecret).not.toContain(u.secret);
    expect(decryptTotpSecret(row!.totpSecret!)).toBe(u.secret);
    expect(decryptTotpSecret(encryptTotpSecret("ABC").replace(/.$/, (c) => (c === "A" ? "B" : "A")))).toBeNull();
    expect(u.uri).toMatch(/^otpauth:\/\/totp\/.*secret=/);
    expect(u.recoveryCodes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(row!.totpRecoveryCodes!.some((h) => u.recoveryCodes.includes(h))).toBe(false);
    expect(
      await t.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.targetId, u.id), eq(auditLog.action, "user.totp_enable"))),
    ).toHaveLength(1);
  });

  it("enrolment is only on once a code from the app confirms it", async () => {
    const [row] = await t.db
      .insert(users)
      .values({ email: `pending${n++}@example.com`, passwordHash: await hashPassword(PASSWORD) })
      .returning();
    const started = await beginEnrolment(t.db, row!.id);
    if (started.status !== "started") throw new Error("not started");
    expect(await confirmEnrolment(t.db, row!.id, "000000")).toMatchObject({ ok: false });
    // Not yet in force: the password alone signs in.
    expect(await verifyCredentials(t.db, memoryThrottle(), { email: row!.email!, password: PASSWORD }, "203.0.113.1")).toMatchObject({ ok: true });
    expect(await confirmEnrolment(t.db, row!.id, codeAt(started.secret, new Date()))).toMatchObject({ ok: true });
    expect(await beginEnrolment(t.db, row!.id)).toEqual({ status: "already_enabled" });
  });

  it("sign-in needs the password and then a current code, each code once", async () => {
    const u = await enrolled();
    const throttle = memoryThrottle();
    const sign = (code?: string) => verifyCredentials(t.db, throttle, { email: u.email, password: PASSWORD, code }, "203.0.113.2");
    expect(await sign()).toEqual({ ok: false, reason: "second_factor" });
    const code = codeAt(u.secret, new Date());
    expect(await sign(code === "999999" ? "000000" : "999999")).toEqual({ ok: false, reason: "second_factor" });
    expect(await sign(code)).toMatchObject({ ok: true });
    // The same code again (a replay, or someone looking over a shoulder): refused.
    expect(await sign(code)).toEqual({ ok: false, reason: "second_factor" });
    // The wrong password with a right code stays "invalid".
    expect(await verifyCredentials(t.db, throttle, { email: u.email, password: "wrong password", code }, "203.0.113.2")).toEqual({
      ok: false,
      reason: "invalid",
    });
    const failures = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.targetId, u.email), eq(auditLog.action, "auth.sign_in_failed")));
    expect(failures.map((f) => (f.after as { secondFactor?: string }).secondFactor)).toEqual(["missing", "wrong", "wrong", undefined]);
  });

  it("of 6 concurrent sign-ins with one valid code, exactly one gets in", async () => {
    const u = await enrolled();
    const code = codeAt(u.secret, new Date());
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => verifyCredentials(t.db, memoryThrottle(), { email: u.email, password: PASSWORD, code }, `198.51.100.${i + 1}`)),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it("a recovery code works once, also when used concurrently", async () => {
    const u = await enrolled();
    const [first, second] = u.recoveryCodes;
    const results = await Promise.all(Array.from({ length: 5 }, () => verifySecondFactor(t.db, u.id, first!.toUpperCase())));
    expect(results.filter((r) => r.ok)).toEqual([{ ok: true, via: "recovery_code" }]);
    expect(await verifySecondFactor(t.db, u.id, first!)).toEqual({ ok: false });
    expect(await verifyCredentials(t.db, memoryThrottle(), { email: u.email, password: PASSWORD, code: second }, "203.0.113.3")).toMatchObject({ ok: true });
  });

  it("wrong codes are guesses under the sign-in throttle", async () => {
    const u = await enrolled();
    const throttle = memoryThrottle();
    for (let i = 0; i < 5; i++) {
      expect(await verifyCredentials(t.db, throttle, { email: u.email, password: PASSWORD, code: String(100000 + i) }, "203.0.113.4")).toMatchObject({
        reason: "second_factor",
      });
    }
    expect(await verifyCredentials(t.db, throttle, { email: u.email, password: PASSWORD, code: codeAt(u.secret, new Date()) }, "203.0.113.4")).toMatchObject({
      reason: "throttled",
    });
  });

  it("turning it off takes a code; then the password alone signs in again", async () => {
    const u = await enrolled();
    expect(await disableTwoFactor(t.db, u.id, "000000")).toBe(false);
    expect(await disableTwoFactor(t.db, u.id, codeAt(u.secret, new Date()))).toBe(true);
    expect(await verifyCredentials(t.db, memoryThrottle(), { email: u.email, password: PASSWORD }, "203.0.113.5")).toMatchObject({ ok: true });
  });

  it("STAFF_MFA=required holds staff roles back until two-factor is on", async () => {
    const [row] = await t.db
      .insert(users)
      .values({ email: `nomfa${n++}@example.com` })
      .returning();
    await t.db.insert(userRoles).values([
      { userId: row!.id, role: "member" },
      { userId: row!.id, role: "admin" },
    ]);
    const plain = (await loadSessionUser(t.db, row!.id))!;
    expect(applyStaffMfa(plain, true)).toMatchObject({ roles: ["member"], staffRolesHeldBack: true });
    expect(applyStaffMfa(plain, false)).toMatchObject({ roles: ["member", "admin"], staffRolesHeldBack: false });
    const u = await enrolled();
    expect(applyStaffMfa((await loadSessionUser(t.db, u.id))!, true)).toMatchObject({ roles: ["support"], staffRolesHeldBack: false });
  });
});
