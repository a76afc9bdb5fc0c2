import { and, eq, gt, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { users, verificationTokens } from "@/db/schema";
import { writeAudit } from "@/lib/loyalty/audit/audit-log";
import { issuePasswordLink, newPasswordSchema, passwordLinkIdentifier } from "./password-link";
import { hashPassword, verifyPassword } from "./password";
import { endAllSessions } from "./session-user";

/** A reset link is for someone locked out right now: an hour, not the 24 hours of a new staff account's link. */
export const PASSWORD_RESET_TTL_MS = 60 * 60 * 1000;
/** One reset email per account a minute, so the form cannot flood someone's inbox. */
export const PASSWORD_RESET_COOLDOWN_MS = 60 * 1000;

export type ChangePasswordResult = { ok: true } | { ok: false; reason: "wrong_password" | "no_password" };

/**
 * A signed-in user's new password. The current one must be right (a session left open on a shared
 * computer is not enough to take the account over); the update is conditional on the hash just
 * checked, so two concurrent changes cannot both win; it bumps the session version, which ends
 * every existing session of the account, this one included (the caller signs this device in again).
 */
export async function changePassword(db: Db, userId: string, input: { currentPassword: string; newPassword: string }): Promise<ChangePasswordResult> {
  newPasswordSchema.parse(input.newPassword);
  const [user] = await db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, userId));
  if (!user?.passwordHash) return { ok: false, reason: "no_password" };
  if (!(await verifyPassword(input.currentPassword, user.passwordHash))) return { ok: false, reason: "wrong_password" };
  const passwordHash = await hashPassword(input.newPassword);
  return db.transaction(async (tx) => {
    const changed = await tx
      .update(users)
      .set({ passwordHash, sessionVersion: sql`${users.sessionVersion} + 1` })
      .where(and(eq(users.id, userId), eq(users.passwordHash, user.passwordHash!)))
      .returning({ id: users.id });
    if (changed.length === 0) return { ok: false, reason: "wrong_password" } as const;
    await writeAudit(tx, { actor: `user:${userId}`, action: "user.password_change", targetType: "user", targetId: userId, after: { sessions: "ended" } });
    return { ok: true } as const;
  });
}

/** "Sign out everywhere": every session cookie of this account stops working at its next request. */
export async function signOutEverywhere(db: Db, userId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const version = await endAllSessions(tx, userId);
    await writeAudit(tx, {
      actor: `user:${userId}`,
      action: "user.sign_out_everywhere",
      targetType: "user",
      targetId: userId,
      after: { sessionVersion: version },
    });
  });
}

export type PasswordResetRequest =
  | { status: "sent"; userId: string; email: string; name: string | null; token: string; expiresAt: Date }
  | { status: "skipped"; reason: "unknown" | "too_soon" };

/**
 * "Forgot your password?": a one-time link (the same kind a new staff account gets, see
 * password-link.ts: 256 bits, only its hash stored, spent by its first use, replacing any older
 * one) valid one hour. The caller answers the same whatever the outcome, so the form does not tell
 * who has an account. Accounts without a password (single sign-on only) get nothing.
 */
export async function requestPasswordReset(db: Db, rawEmail: string, now: Date = new Date()): Promise<PasswordResetRequest> {
  const email = rawEmail.trim().toLowerCase();
  return db.transaction(async (tx) => {
    const [user] = await tx
      .select({ id: users.id, email: users.email, name: users.name, passwordHash: users.passwordHash })
      .from(users)
      .where(sql`lower(${users.email}) = ${email}`)
      .limit(1)
      .for("update");
    if (!user?.email || !user.passwordHash) return { status: "skipped", reason: "unknown" } as const;
    const [live] = await tx
      .select({ expires: verificationTokens.expires })
      .from(verificationTokens)
      .where(and(eq(verificationTokens.identifier, passwordLinkIdentifier(user.id)), gt(verificationTokens.expires, now)))
      .limit(1);
    if (live && live.expires.getTime() - PASSWORD_RESET_TTL_MS + PASSWORD_RESET_COOLDOWN_MS > now.getTime()) {
      return { status: "skipped", reason: "too_soon" } as const;
    }
    const { token, expiresAt } = await issuePasswordLink(tx, user.id, now, PASSWORD_RESET_TTL_MS);
    await writeAudit(tx, { actor: `user:${user.id}`, action: "user.password_reset_requested", targetType: "user", targetId: user.id, after: { expiresAt } });
    return { status: "sent", userId: user.id, email: user.email, name: user.name, token, expiresAt } as const;
  });
}
