import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db, Tx } from "@/db/client";
import { users, verificationTokens } from "@/db/schema";
import { writeAudit } from "@/lib/loyalty/audit/audit-log";
import { hashMemberLinkToken, isWellFormedMemberLinkToken, newMemberLinkToken } from "./member-link-token";
import { hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "./password";

/**
 * One-time links that let a new staff account choose its password, so the administrator who creates
 * the account never knows it. 256 random bits, only the SHA-256 kept (verification_tokens,
 * identifier `password-set:<user id>`), valid 24 hours, spent by its first use, replaced by a newer one.
 */
export const PASSWORD_LINK_TTL_MS = 24 * 60 * 60 * 1000;

export function passwordLinkIdentifier(userId: string): string {
  return `password-set:${userId}`;
}

export const newPasswordSchema = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `Use at least ${MIN_PASSWORD_LENGTH} characters.`)
  .max(MAX_PASSWORD_LENGTH, `Use at most ${MAX_PASSWORD_LENGTH} characters.`);

/** Replaces any earlier link of this user: only the newest works. */
export async function issuePasswordLink(tx: Tx, userId: string, now: Date, ttlMs: number = PASSWORD_LINK_TTL_MS): Promise<{ token: string; expiresAt: Date }> {
  const identifier = passwordLinkIdentifier(userId);
  const { raw, hash } = newMemberLinkToken();
  const expiresAt = new Date(now.getTime() + ttlMs);
  await tx.delete(verificationTokens).where(eq(verificationTokens.identifier, identifier));
  await tx.insert(verificationTokens).values({ identifier, token: hash, expires: expiresAt });
  return { token: raw, expiresAt };
}

/** `<origin>/set-password?user=…&token=…`: the user id picks the row, the token proves the link. */
export function passwordLinkUrl(origin: string, userId: string, token: string): string {
  const url = new URL("/set-password", origin);
  url.searchParams.set("user", userId);
  url.searchParams.set("token", token);
  return url.toString();
}

export type SetPasswordResult = { ok: true; email: string | null } | { ok: false; reason: "invalid" | "expired" };

const USER_ID = /^[0-9a-f-]{36}$/;

/**
 * Spends the link and sets the password, in one transaction: the token row is deleted first
 * (`DELETE … RETURNING`, so of two concurrent uses one finds nothing), an expired one stays deleted.
 * The password must already satisfy newPasswordSchema.
 */
export async function setPasswordFromLink(
  db: Db,
  input: { userId: unknown; token: unknown; password: string },
  now: Date = new Date(),
): Promise<SetPasswordResult> {
  const { userId, token } = input;
  if (typeof userId !== "string" || !USER_ID.test(userId) || !isWellFormedMemberLinkToken(token)) return { ok: false, reason: "invalid" };
  newPasswordSchema.parse(input.password);
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    const [spent] = await tx
      .delete(verificationTokens)
      .where(and(eq(verificationTokens.identifier, passwordLinkIdentifier(userId)), eq(verificationTokens.token, hashMemberLinkToken(token))))
      .returning({ expires: verificationTokens.expires });
    if (!spent) return { ok: false, reason: "invalid" } as const;
    if (spent.expires.getTime() <= now.getTime()) return { ok: false, reason: "expired" } as const;
    // A new password ends every existing session of the account (session_version, lib/auth/session-user.ts).
    const [user] = await tx
      .update(users)
      .set({ passwordHash, sessionVersion: sql`${users.sessionVersion} + 1` })
      .where(eq(users.id, userId))
      .returning({ email: users.email });
    if (!user) return { ok: false, reason: "invalid" } as const;
    await writeAudit(tx, { actor: `user:${userId}`, action: "user.password_set", targetType: "user", targetId: userId, after: { via: "one-time link" } });
    return { ok: true, email: user.email } as const;
  });
}
