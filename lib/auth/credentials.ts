import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Executor } from "@/db/client";
import { users } from "@/db/schema";
import { verifyPassword } from "./password";
import type { SignInThrottle } from "./sign-in-throttle";

export const credentialsSchema = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email({ message: "Enter a valid email address." })).pipe(z.string().max(254)),
  password: z.string().min(1, "Enter your password.").max(200, "That password is too long."),
});

export type CredentialsResult =
  | { ok: true; user: { id: string; email: string; name: string | null } }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "throttled"; retryAfterSeconds: number };

// Compared against when the email is unknown, so an unknown address takes as long as a wrong password.
const DUMMY_HASH = "$2b$10$zfXBI90t9U3PlfZCuAeygOhVEzMTulLOhoaV./Nzu2KF6wCFOVZFO";

/** Email + password check, throttled per account and per client address. */
export async function verifyCredentials(
  ex: Executor,
  throttle: SignInThrottle,
  input: unknown,
  ip: string,
): Promise<CredentialsResult> {
  const parsed = credentialsSchema.safeParse(input);
  if (!parsed.success) return { ok: false, reason: "invalid" };
  const { email, password } = parsed.data;

  const verdict = await throttle.check(ip, email);
  if (!verdict.allowed) return { ok: false, reason: "throttled", retryAfterSeconds: verdict.retryAfterSeconds };

  const [user] = await ex
    .select({ id: users.id, email: users.email, name: users.name, passwordHash: users.passwordHash })
    .from(users)
    .where(sql`lower(${users.email}) = ${email}`)
    .limit(1);
  const valid = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
  if (!user || !user.passwordHash || !valid) {
    await throttle.recordFailure(ip, email);
    return { ok: false, reason: "invalid" };
  }
  await throttle.recordSuccess(email);
  return { ok: true, user: { id: user.id, email: user.email ?? email, name: user.name } };
}
