import { z } from "zod";
import type { Db } from "@/db/client";
import { PG_UNIQUE_VIOLATION, pgErrorOf } from "@/db/errors";
import { userRoles, users } from "@/db/schema";
import { scrubbedError } from "@/lib/log-redact";
import { hasControlCharacters } from "@/lib/loyalty/input/input-bounds";
import { attributeSignUpInTx } from "@/lib/loyalty/referrals/referral-codes";
import { startMembership } from "./membership";
import { hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "./password";

export const signUpSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, "Enter your name.")
    .max(100, "Use at most 100 characters.")
    .refine((name) => !hasControlCharacters(name), "Use letters, digits and punctuation only."),
  email: z
    .string()
    .trim()
    .toLowerCase()
    .max(254, "That email is too long.")
    .pipe(z.email({ message: "Enter a valid email address." })),
  password: z
    .string()
    .min(MIN_PASSWORD_LENGTH, `Use at least ${MIN_PASSWORD_LENGTH} characters.`)
    .max(MAX_PASSWORD_LENGTH, `Use at most ${MAX_PASSWORD_LENGTH} characters.`),
});

export type SignUpInput = z.infer<typeof signUpSchema>;

export type SignUpResult =
  | { ok: true; userId: string; status: "enrolled"; memberId: number }
  /** The email matches an existing member: its points wait until the emailed link (token) comes back. */
  | { ok: true; userId: string; status: "pending"; token: string; expiresAt: Date }
  | { ok: false; reason: "email_taken" };

/**
 * Creates a user with role `member`. A new email enrols a new member at once; an email that
 * matches an existing, unclaimed member only starts a verification (see membership.ts). One
 * transaction: a failure leaves neither a user without its member nor a member nobody can reach.
 */
export async function signUp(db: Db, input: SignUpInput, now: Date = new Date(), options: { referralCode?: string } = {}): Promise<SignUpResult> {
  const passwordHash = await hashPassword(input.password);
  try {
    return await db.transaction(async (tx) => {
      const [user] = await tx
        .insert(users)
        .values({ name: input.name, email: input.email, passwordHash })
        .returning({ id: users.id, email: users.email, name: users.name });
      await tx.insert(userRoles).values({ userId: user!.id, role: "member" });
      const started = await startMembership(tx, user!, now, { issueToken: true });
      if (started.status === "enrolled") {
        // A new member who came by a referral link (docs/ledger.md, Referrals); an unknown code refuses nothing.
        if (options.referralCode) await attributeSignUpInTx(tx, started.memberId, true, options.referralCode, now);
        return { ok: true as const, userId: user!.id, status: "enrolled" as const, memberId: started.memberId };
      }
      if (started.status === "pending") {
        return { ok: true as const, userId: user!.id, status: "pending" as const, token: started.token, expiresAt: started.expiresAt };
      }
      throw new Error("sign-up must issue the verification token");
    });
  } catch (error) {
    const pg = pgErrorOf(error);
    if (pg?.code === PG_UNIQUE_VIOLATION && /email/.test(pg.constraint ?? pg.message)) return { ok: false, reason: "email_taken" };
    // Drizzle's message lists every bound value, the password hash and email among them; whoever
    // logs what is thrown from here (Next.js prints uncaught errors) must not get them.
    throw scrubbedError(error);
  }
}
