import { and, eq, gt } from "drizzle-orm";
import type { Db, Executor } from "@/db/client";
import { users, verificationTokens } from "@/db/schema";
import { MEMBER_LINK_RESEND_COOLDOWN_MS, MEMBER_LINK_TTL_MS, memberLinkIdentifier } from "./member-link-token";
import { startMembership } from "./membership";

export type ResendMemberLinkResult =
  | { status: "sent"; token: string; expiresAt: Date; email: string }
  | { status: "linked"; memberId: number }
  | { status: "too_soon"; retryAfterSeconds: number }
  | { status: "no_email" };

/** The live link of a user, if any: when it expires. */
export async function pendingMemberLink(ex: Executor, userId: string, now: Date): Promise<{ expiresAt: Date } | null> {
  const [row] = await ex
    .select({ expires: verificationTokens.expires })
    .from(verificationTokens)
    .where(and(eq(verificationTokens.identifier, memberLinkIdentifier(userId)), gt(verificationTokens.expires, now)))
    .limit(1);
  return row ? { expiresAt: row.expires } : null;
}

/**
 * A new emailed link for a signed-in user still waiting for their member (the old link stops
 * working), at most once a minute. If no unclaimed member has their email any more (another
 * account claimed it, or support changed it), they are enrolled as a new member instead of
 * being left waiting for a link that can never work.
 */
export async function resendMemberLink(db: Db, userId: string, now: Date): Promise<ResendMemberLinkResult> {
  return db.transaction(async (tx) => {
    // The user row lock serialises two resends of one user.
    const [user] = await tx
      .select({ id: users.id, email: users.email, name: users.name, memberId: users.memberId })
      .from(users)
      .where(eq(users.id, userId))
      .for("update");
    if (!user) throw new Error(`user ${userId} not found`);
    if (user.memberId !== null) return { status: "linked", memberId: user.memberId } as const;
    const live = await pendingMemberLink(tx, userId, now);
    if (live) {
      const issuedAt = live.expiresAt.getTime() - MEMBER_LINK_TTL_MS;
      const wait = issuedAt + MEMBER_LINK_RESEND_COOLDOWN_MS - now.getTime();
      if (wait > 0) return { status: "too_soon", retryAfterSeconds: Math.ceil(wait / 1000) } as const;
    }
    const started = await startMembership(tx, user, now, { issueToken: true });
    if (started.status === "enrolled") return { status: "linked", memberId: started.memberId } as const;
    if (started.status === "pending" && user.email) {
      return { status: "sent", token: started.token, expiresAt: started.expiresAt, email: user.email } as const;
    }
    return { status: "no_email" } as const;
  });
}
