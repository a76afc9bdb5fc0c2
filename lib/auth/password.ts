import { hash, parseOptions, verify, type Algorithm } from "@node-rs/argon2";
import bcrypt from "bcryptjs";

/** New passwords (sign-up, staff accounts, set-password links): NIST SP 800-63B's length rule, no composition rules. */
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 200;

// `Algorithm` is an ambient const enum, which isolatedModules cannot read: 2 is Argon2id.
const ARGON2ID = 2 as Algorithm;

/**
 * OWASP's first recommendation for argon2id (Password Storage Cheat Sheet): 19 MiB, 2 passes, one
 * lane. About 45 ms a hash and 30 ms a check on the 2-core machine (docs/auth.md).
 */
export const ARGON2_OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

/**
 * Checks a password against an argon2id hash or a bcrypt hash written before argon2id (those are
 * rehashed at the next successful sign-in, see needsRehash). Anything else never matches.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  if (stored.startsWith("$argon2")) {
    try {
      return await verify(stored, password);
    } catch {
      return false;
    }
  }
  if (/^\$2[aby]\$/.test(stored)) return bcrypt.compare(password, stored);
  return false;
}

/** True for a hash that is not argon2id with at least today's parameters (bcrypt, or a weaker argon2). */
export function needsRehash(stored: string): boolean {
  if (!stored.startsWith("$argon2id$")) return true;
  try {
    const o = parseOptions(stored);
    return o.memoryCost < ARGON2_OPTIONS.memoryCost || o.timeCost < ARGON2_OPTIONS.timeCost;
  } catch {
    return true;
  }
}
