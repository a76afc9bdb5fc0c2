import { and, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { PG_UNIQUE_VIOLATION, pgErrorOf } from "@/db/errors";
import { users, verificationTokens } from "@/db/schema";
import { hashMemberLinkToken, isWellFormedMemberLinkToken, memberLinkIdentifier } from "./member-link-token";
import { auditMemberLink, findUnclaimedMember } from "./membership";

export type MemberLinkFailure = "invalid" | "expired" | "claimed";

export type VerifyMemberLinkResult = { ok: true; memberId: number } | { ok: false; reason: MemberLinkFailure };

/**
 * Completes a pending member link: the emailed token, for the signed-in user it was issued to,
 * proves they own the email, so the member with that email becomes theirs. One transaction: the
 * token is deleted (single use; a concurrent second use waits on the row and then finds nothing)
 * and the link written together. A member another user claimed meanwhile is never taken over.
 *
 * The token is bound to the user id of the session, not looked up alone: someone who signed up
 * with a victim's email cannot have the victim "verify" it for them by clicking the link, since
 * the victim is not signed in as them.
 */
export async function verifyMemberLink(db: Db, userId: string, rawToken: unknown, now: Date): Promise<VerifyMemberLinkResult> {
  if (!isWellFormedMemberLinkToken(rawToken)) return { ok: false, reason: "invalid" };
  return db.transaction(async (tx) => {
    const [token] = await tx
      .delete(verificationTokens)
      .where(and(eq(verificationTokens.identifier, memberLinkIdentifier(userId)), eq(verificationTokens.token, hashMemberLinkToken(rawToken))))
      .returning({ expires: verificationTokens.expires });
    if (!token) return { ok: false, reason: "invalid" } as const;
    // The expired token stays deleted: returning (not throwing) commits that.
    if (token.expires.getTime() <= now.getTime()) return { ok: false, reason: "expired" } as const;

    const [user] = await tx.select({ email: users.email, memberId: users.memberId }).from(users).where(eq(users.id, userId)).for("update");
    if (!user) return { ok: false, reason: "invalid" } as const;
    if (user.memberId !== null) return { ok: true, memberId: user.memberId } as const;

    const member = await findUnclaimedMember(tx, user.email);
    if (!member) return { ok: false, reason: "claimed" } as const;
    try {
      // A savepoint, so a lost race to the unique member_id still commits the token's deletion.
      await tx.transaction(async (sp) => {
        await sp.update(users).set({ memberId: member.id, emailVerified: now }).where(eq(users.id, userId));
        await auditMemberLink(sp, userId, member.id, "emailed link");
      });
    } catch (error) {
      if (pgErrorOf(error)?.code === PG_UNIQUE_VIOLATION) return { ok: false, reason: "claimed" } as const;
      throw error;
    }
    return { ok: true, memberId: member.id } as const;
  });
}
