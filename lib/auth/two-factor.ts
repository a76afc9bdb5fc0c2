import crypto from "node:crypto";
import { and, eq, isNotNull, isNull, or, lt, sql } from "drizzle-orm";
import { generateSecret, generateURI, verifySync } from "otplib";
import type { Db, Executor } from "@/db/client";
import { users } from "@/db/schema";
import { writeAudit } from "@/lib/loyalty/audit/audit-log";
import { authSecret } from "./secret";

/**
 * TOTP second factor (RFC 6238 through otplib: 6 digits, 30-second steps, SHA-1 as every
 * authenticator app expects). A code is accepted within one step of the server's clock and only
 * once (users.totp_last_step moves forward under a conditional UPDATE, so two concurrent uses of
 * one code cannot both pass). Ten single-use recovery codes, only their SHA-256 kept, each removed
 * by the UPDATE that accepts it. The secret is stored encrypted (AES-256-GCM, a key derived from
 * AUTH_SECRET with HKDF), so a copy of the table does not hand out second factors; changing
 * AUTH_SECRET therefore turns every enrolment off in effect (codes stop matching; recovery codes
 * still work).
 */
export const TOTP_ISSUER = "Loyalty Rewards";
export const RECOVERY_CODE_COUNT = 10;
const TOLERANCE_S = 30;

function secretKey(): Buffer {
  return Buffer.from(crypto.hkdfSync("sha256", authSecret(), "loyalty-totp", "totp secret v1", 32));
}

export function encryptTotpSecret(secret: string): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv("aes-256-gcm", secretKey(), iv);
  const data = Buffer.concat([cipher.update(secret, "utf8"), cipher.final()]);
  return ["v1", iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), data.toString("base64url")].join(".");
}

export function decryptTotpSecret(stored: string): string | null {
  const [version, iv, tag, data] = stored.split(".");
  if (version !== "v1" || !iv || !tag || !data) return null;
  try {
    const decipher = crypto.createDecipheriv("aes-256-gcm", secretKey(), Buffer.from(iv, "base64url"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    return null;
  }
}

const normalizeRecoveryCode = (code: string) => code.toLowerCase().replace(/[^a-z0-9]/g, "");
export const hashRecoveryCode = (code: string) => crypto.createHash("sha256").update(normalizeRecoveryCode(code)).digest("hex");

/** Ten codes like "k3f9q-2mx7d": 50 random bits each, shown once. */
export function newRecoveryCodes(): { codes: string[]; hashes: string[] } {
  const alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const chars = Array.from(crypto.randomBytes(10), (b) => alphabet[b % alphabet.length]).join("");
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
  return { codes, hashes: codes.map(hashRecoveryCode) };
}

const SIX_DIGITS = /^\d{6}$/;

/** The time step a code matches (within one step either side), or null. */
export function matchTotp(secret: string, code: string, now: Date, afterStep: number | null): number | null {
  if (!SIX_DIGITS.test(code)) return null;
  const result = verifySync({
    secret,
    token: code,
    epoch: Math.floor(now.getTime() / 1000),
    epochTolerance: TOLERANCE_S,
    ...(afterStep !== null ? { afterTimeStep: afterStep } : {}),
  });
  return result.valid && "timeStep" in result && typeof result.timeStep === "number" ? result.timeStep : null;
}

export type EnrolmentStart = { status: "started"; secret: string; uri: string } | { status: "already_enabled" };

/** A new secret, not yet in force: it is switched on by confirmEnrolment with a code from the app. */
export async function beginEnrolment(db: Db, userId: string): Promise<EnrolmentStart> {
  const [user] = await db.select({ email: users.email, enabledAt: users.totpEnabledAt }).from(users).where(eq(users.id, userId));
  if (!user) throw new Error(`user ${userId} not found`);
  if (user.enabledAt) return { status: "already_enabled" };
  const secret = generateSecret();
  await db
    .update(users)
    .set({ totpSecret: encryptTotpSecret(secret) })
    .where(and(eq(users.id, userId), isNull(users.totpEnabledAt)));
  return { status: "started", secret, uri: generateURI({ issuer: TOTP_ISSUER, label: user.email ?? userId, secret }) };
}

export type EnrolmentResult = { ok: true; recoveryCodes: string[] } | { ok: false; reason: "no_enrolment" | "wrong_code" };

export async function confirmEnrolment(db: Db, userId: string, code: string, now: Date = new Date()): Promise<EnrolmentResult> {
  const [user] = await db
    .select({ secret: users.totpSecret })
    .from(users)
    .where(and(eq(users.id, userId), isNull(users.totpEnabledAt)));
  const secret = user?.secret ? decryptTotpSecret(user.secret) : null;
  if (!secret) return { ok: false, reason: "no_enrolment" };
  const step = matchTotp(secret, code.trim(), now, null);
  if (step === null) return { ok: false, reason: "wrong_code" };
  const { codes, hashes } = newRecoveryCodes();
  return db.transaction(async (tx) => {
    const updated = await tx
      .update(users)
      .set({ totpEnabledAt: now, totpLastStep: step, totpRecoveryCodes: hashes })
      .where(and(eq(users.id, userId), isNull(users.totpEnabledAt), eq(users.totpSecret, user!.secret!)))
      .returning({ id: users.id });
    if (updated.length === 0) return { ok: false, reason: "no_enrolment" } as const;
    await writeAudit(tx, {
      actor: `user:${userId}`,
      action: "user.totp_enable",
      targetType: "user",
      targetId: userId,
      after: { recoveryCodes: RECOVERY_CODE_COUNT },
    });
    return { ok: true, recoveryCodes: codes } as const;
  });
}

export type SecondFactorCheck = { ok: true; via: "totp" | "recovery_code" } | { ok: false };

/**
 * A code from the app (6 digits) or a recovery code. Either is spent by the UPDATE that accepts it:
 * the step must be newer than the last accepted one, the recovery code still in the list.
 */
export async function verifySecondFactor(ex: Executor, userId: string, rawCode: string, now: Date = new Date()): Promise<SecondFactorCheck> {
  const code = rawCode.trim();
  if (!code || code.length > 32) return { ok: false };
  const [user] = await ex
    .select({ secret: users.totpSecret, lastStep: users.totpLastStep })
    .from(users)
    .where(and(eq(users.id, userId), isNotNull(users.totpEnabledAt)));
  if (!user) return { ok: false };
  if (SIX_DIGITS.test(code)) {
    const secret = user.secret ? decryptTotpSecret(user.secret) : null;
    const step = secret ? matchTotp(secret, code, now, user.lastStep) : null;
    if (step === null) return { ok: false };
    const spent = await ex
      .update(users)
      .set({ totpLastStep: step })
      .where(and(eq(users.id, userId), or(isNull(users.totpLastStep), lt(users.totpLastStep, step))))
      .returning({ id: users.id });
    return spent.length > 0 ? { ok: true, via: "totp" } : { ok: false };
  }
  const hash = hashRecoveryCode(code);
  const spent = await ex
    .update(users)
    .set({ totpRecoveryCodes: sql`array_remove(${users.totpRecoveryCodes}, ${hash})` })
    .where(and(eq(users.id, userId), sql`${hash} = any(${users.totpRecoveryCodes})`))
    .returning({ id: users.id });
  return spent.length > 0 ? { ok: true, via: "recovery_code" } : { ok: false };
}

/** Turning it off takes a current code (or a recovery code): a session alone is not enough. */
export async function disableTwoFactor(db: Db, userId: string, code: string, now: Date = new Date()): Promise<boolean> {
  return db.transaction(async (tx) => {
    const check = await verifySecondFactor(tx, userId, code, now);
    if (!check.ok) return false;
    await tx.update(users).set({ totpSecret: null, totpEnabledAt: null, totpLastStep: null, totpRecoveryCodes: null }).where(eq(users.id, userId));
    await writeAudit(tx, { actor: `user:${userId}`, action: "user.totp_disable", targetType: "user", targetId: userId, after: { via: check.via } });
    return true;
  });
}
