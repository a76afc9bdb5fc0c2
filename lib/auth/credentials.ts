import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Executor } from "@/db/client";
import { users } from "@/db/schema";
import { hashPassword, needsRehash, verifyPassword } from "./password";
import { auditSignIn } from "./sign-in-audit";
import { verifySecondFactor } from "./two-factor";
import type { SignInThrottle } from "./sign-in-throttle";

export const credentialsSchema = z.object({
  email: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.email({ message: "Enter a valid email address." }))
    .pipe(z.string().max(254)),
  password: z.string().min(1, "Enter your password.").max(200, "That password is too long."),
  /** The second factor (TOTP or a recovery code) of an account that has one; absent on the first try. */
  code: z.string().trim().max(32).optional(),
});

export type CredentialsResult =
  | { ok: true; user: { id: string; email: string; name: string | null } }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "throttled"; retryAfterSeconds: number }
  /** The password was right and the account has a second factor: ask for the code (a wrong one gives the same answer). */
  | { ok: false; reason: "second_factor" };

// Compared against when the email is unknown, so an unknown address takes as long as a wrong password.
const DUMMY_HASH = "$argon2id$v=19$m=19456,t=2,p=1$JqY01gMrqs12etT83qzWbg$63CKT0Sm3G9sLXcf2gzhfAvpRIyBV2PEbJ3jZ2F925g";

/** Email + password check, throttled per account and per client address. */
export async function verifyCredentials(ex: Executor, throttle: SignInThrottle, input: unknown, ip: string): Promise<CredentialsResult> {
  const parsed = credentialsSchema.safeParse(input);
  if (!parsed.success) return { ok: false, reason: "invalid" };
  const { email, password } = parsed.data;

  // Counted before the password is checked: concurrent guesses each take one attempt, and a spent
  // budget refuses them all before any reaches the hash.
  const verdict = await throttle.attempt(ip, email);
  if (!verdict.allowed) {
    const known = await ex
      .select({ id: users.id })
      .from(users)
      .where(sql`lower(${users.email}) = ${email}`)
      .limit(1);
    await auditSignIn(ex, email, ip, {
      outcome: "throttled",
      userId: known[0]?.id ?? null,
      budget: verdict.budget,
      retryAfterSeconds: verdict.retryAfterSeconds,
    });
    return { ok: false, reason: "throttled", retryAfterSeconds: verdict.retryAfterSeconds };
  }

  const [user] = await ex
    .select({ id: users.id, email: users.email, name: users.name, passwordHash: users.passwordHash, totpEnabledAt: users.totpEnabledAt })
    .from(users)
    .where(sql`lower(${users.email}) = ${email}`)
    .limit(1);
  const valid = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
  if (!user || !user.passwordHash || !valid) {
    await verdict.attempt.failed();
    await auditSignIn(ex, email, ip, { outcome: "failure", userId: user?.id ?? null });
    return { ok: false, reason: "invalid" };
  }
  // A missing or wrong second factor counts as a failed attempt, under the same budgets.
  if (user.totpEnabledAt && !(parsed.data.code && (await verifySecondFactor(ex, user.id, parsed.data.code)).ok)) {
    await verdict.attempt.failed();
    await auditSignIn(ex, email, ip, { outcome: "failure", userId: user.id, secondFactor: parsed.data.code ? "wrong" : "missing" });
    return { ok: false, reason: "second_factor" };
  }
  await verdict.attempt.succeeded();
  await auditSignIn(ex, email, ip, { outcome: "success", userId: user.id });
  if (needsRehash(user.passwordHash)) await rehash(ex, user.id, user.passwordHash, password);
  return { ok: true, user: { id: user.id, email: user.email ?? email, name: user.name } };
}

/**
 * A bcrypt (or weaker argon2) hash becomes argon2id now that the password is known. Only if the hash
 * is still the one just checked: a password changed meanwhile is never overwritten by the old one.
 */
async function rehash(ex: Executor, userId: string, checked: string, password: string): Promise<void> {
  const passwordHash = await hashPassword(password);
  await ex
    .update(users)
    .set({ passwordHash })
    .where(and(eq(users.id, userId), eq(users.passwordHash, checked)));
}
