import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { and, eq, like } from "drizzle-orm";
import { setDbHandle } from "@/db/client";
import { auditLog, users, verificationTokens } from "@/db/schema";
import { hashPassword, verifyPassword } from "@/lib/auth/password";
import { RateLimits, setRateLimits } from "@/lib/rate-limit/rate-limits";
import { createTestDatabase, type TestDatabase } from "../support/test-database";

// The actions' Next.js surroundings: who is signed in, the request's headers, Auth.js's redirects.
const session = vi.hoisted(() => ({ userId: null as string | null, forwardedFor: "127.0.0.9", signIns: [] as unknown[] }));
vi.mock("@/auth", () => ({
  auth: async () => (session.userId ? { user: { id: session.userId, sessionVersion: 0 } } : null),
  signIn: async (_provider: string, options: { redirectTo: string }) => {
    session.signIns.push(options);
    const { redirect } = await import("next/navigation");
    redirect(options.redirectTo);
  },
  signOut: async (options: { redirectTo: string }) => {
    const { redirect } = await import("next/navigation");
    redirect(options.redirectTo);
  },
  handlers: {},
}));
vi.mock("next/headers", () => ({
  headers: async () => new Headers({ host: "localhost", "x-forwarded-for": session.forwardedFor }),
  cookies: async () => ({ get: () => undefined, getAll: () => [], has: () => false, set: () => {}, delete: () => {} }),
}));

const { forgotPasswordAction } = await import("@/app/(auth)/forgot-password/forgot-password-action");
const { changePasswordAction, signOutEverywhereAction } = await import("@/app/(auth)/account/account-actions");

async function outcome<T>(run: () => Promise<T>): Promise<T | string> {
  try {
    return await run();
  } catch (error) {
    const digest = (error as { digest?: string }).digest ?? "";
    if (digest.startsWith("NEXT_REDIRECT")) return `redirect:${digest.split(";")[2]}`;
    throw error;
  }
}
const form = (fields: Record<string, string>) => {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
};
const IDLE = { status: "idle" } as const;
const OLD = "the old password here";

describe("account actions", () => {
  let t: TestDatabase;
  let userId: string;
  let n = 0;
  beforeAll(async () => {
    t = await createTestDatabase();
    setDbHandle(t.connect());
  });
  afterAll(async () => {
    setDbHandle(undefined);
    await t.drop();
  });
  beforeEach(async () => {
    setRateLimits(new RateLimits({ kind: "memory" }));
    const [row] = await t.db
      .insert(users)
      .values({ email: `acct${n++}@example.com`, passwordHash: await hashPassword(OLD) })
      .returning();
    userId = row!.id;
    session.userId = userId;
    session.forwardedFor = `127.0.${n}.9`;
    session.signIns = [];
  });

  it("forgot password: the same answer for any email, 5 an hour per client address, nothing issued once refused", async () => {
    session.userId = null;
    const [user] = await t.db.select().from(users).where(eq(users.id, userId));
    for (const email of ["nobody@example.com", user!.email!]) {
      expect(await forgotPasswordAction(IDLE, form({ email }))).toEqual({ status: "success" });
    }
    const issued = () => t.db.select().from(verificationTokens).where(like(verificationTokens.identifier, "password-set:%"));
    expect(await issued()).toHaveLength(1);
    for (let i = 0; i < 3; i++) await forgotPasswordAction(IDLE, form({ email: `x${i}@example.com` }));
    await t.db.delete(verificationTokens).where(like(verificationTokens.identifier, "password-set:%"));
    const refused = await forgotPasswordAction(IDLE, form({ email: user!.email! }));
    expect(refused).toMatchObject({ status: "error", formError: expect.stringContaining("Too many attempts") });
    expect(await issued()).toHaveLength(0);
    expect(await forgotPasswordAction(IDLE, form({ email: "not an email" }))).toMatchObject({ fieldErrors: { email: expect.any(String) } });
  });

  it("change password: refused signed out; a wrong current password is throttled like a sign-in; the right one changes it and signs this device in again", async () => {
    session.userId = null;
    const change = (current: string) => form({ currentPassword: current, newPassword: "a brand new passphrase", confirm: "a brand new passphrase" });
    expect(await outcome(() => changePasswordAction(IDLE, change(OLD)))).toMatchObject({ status: "error", formError: expect.stringContaining("session") });
    session.userId = userId;
    for (let i = 0; i < 5; i++) {
      expect(await outcome(() => changePasswordAction(IDLE, change(`wrong ${i} password`)))).toMatchObject({
        fieldErrors: { currentPassword: expect.any(String) },
      });
    }
    expect(await outcome(() => changePasswordAction(IDLE, change(OLD)))).toMatchObject({ formError: expect.stringContaining("Too many") });
    // From another address the right current password works (the tight budget is per account and address).
    session.forwardedFor = "127.1.1.1";
    expect(await outcome(() => changePasswordAction(IDLE, change(OLD)))).toBe("redirect:/account?changed=1");
    const [user] = await t.db.select().from(users).where(eq(users.id, userId));
    expect(await verifyPassword("a brand new passphrase", user!.passwordHash!)).toBe(true);
    expect(user!.sessionVersion).toBe(1);
    expect(session.signIns).toMatchObject([{ redirectTo: "/account?changed=1" }]);
    expect(
      await t.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.targetId, userId), eq(auditLog.action, "user.password_change"))),
    ).toHaveLength(1);
  });

  it("change password: the two new passwords must match and be 12 characters", async () => {
    expect(await changePasswordAction(IDLE, form({ currentPassword: OLD, newPassword: "short", confirm: "short" }))).toMatchObject({
      fieldErrors: { newPassword: expect.any(String) },
    });
    expect(
      await changePasswordAction(IDLE, form({ currentPassword: OLD, newPassword: "a brand new passphrase", confirm: "another one entirely" })),
    ).toMatchObject({
      fieldErrors: { confirm: expect.any(String) },
    });
  });

  it("sign out everywhere bumps the session version and signs this device out", async () => {
    expect(await outcome(() => signOutEverywhereAction())).toBe("redirect:/sign-in?notice=signed-out");
    const [user] = await t.db.select().from(users).where(eq(users.id, userId));
    expect(user!.sessionVersion).toBe(1);
  });
});
