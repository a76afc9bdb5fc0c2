import crypto from "node:crypto";
import { and, notExists, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { PG_UNIQUE_VIOLATION, pgErrorOf } from "@/db/errors";
import { members, userRoles, users } from "@/db/schema";
import { ensureMember } from "@/lib/loyalty/members";
import { hashPassword } from "./password";

export const signUpSchema = z.object({
  name: z.string().trim().min(1, "Enter your name.").max(100, "Use at most 100 characters."),
  email: z.string().trim().toLowerCase().max(254, "That email is too long.").pipe(z.email({ message: "Enter a valid email address." })),
  password: z.string().min(8, "Use at least 8 characters.").max(200, "Use at most 200 characters."),
});

export type SignUpInput = z.infer<typeof signUpSchema>;

export type SignUpResult =
  | { ok: true; userId: string; memberId: number; linkedExisting: boolean }
  | { ok: false; reason: "email_taken" };

/**
 * Creates a user with role `member`, linked to the loyalty member with the same email when one
 * exists and no other user has claimed it, or to a newly enrolled member. One transaction: a failure
 * leaves neither a user without a member nor a member without its user.
 */
export async function signUp(db: Db, input: SignUpInput): Promise<SignUpResult> {
  const passwordHash = await hashPassword(input.password);
  try {
    return await db.transaction(async (tx) => {
      const [existing] = await tx
        .select({ id: members.id })
        .from(members)
        .where(
          and(
            sql`lower(${members.email}) = ${input.email}`,
            notExists(tx.select({ one: sql`1` }).from(users).where(sql`${users.memberId} = ${members.id}`)),
          ),
        )
        .orderBy(members.id)
        .limit(1)
        .for("update", { of: members });
      const memberId =
        existing?.id ??
        (await ensureMember(tx as unknown as Db, { externalId: `web-${crypto.randomUUID()}`, email: input.email, name: input.name })).member.id;
      const [user] = await tx
        .insert(users)
        .values({ name: input.name, email: input.email, passwordHash, memberId })
        .returning({ id: users.id });
      await tx.insert(userRoles).values({ userId: user!.id, role: "member" });
      return { ok: true as const, userId: user!.id, memberId, linkedExisting: Boolean(existing) };
    });
  } catch (error) {
    const pg = pgErrorOf(error);
    if (pg?.code === PG_UNIQUE_VIOLATION && /email/.test(pg.constraint ?? pg.message)) return { ok: false, reason: "email_taken" };
    throw error;
  }
}
