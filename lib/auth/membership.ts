import crypto from "node:crypto";
import { and, eq, notExists, sql } from "drizzle-orm";
import type { Db, Tx } from "@/db/client";
import { members, users, verificationTokens } from "@/db/schema";
import { writeAudit } from "@/lib/loyalty/audit/audit-log";
import { ensureMember } from "@/lib/loyalty/members/ensure-member";
import { MEMBER_LINK_TTL_MS, memberLinkIdentifier, newMemberLinkToken } from "./member-link-token";

/**
 * The oldest loyalty member with this email that no user has claimed, locked until the
 * transaction ends. The users.member_id unique constraint is the last word if a claim races.
 */
export async function findUnclaimedMember(tx: Tx, email: string | null): Promise<{ id: number } | undefined> {
  if (!email) return undefined;
  const [row] = await tx
    .select({ id: members.id })
    .from(members)
    .where(
      and(
        sql`lower(${members.email}) = ${email.trim().toLowerCase()}`,
        notExists(
          tx
            .select({ one: sql`1` })
            .from(users)
            .where(eq(users.memberId, members.id)),
        ),
      ),
    )
    .orderBy(members.id)
    .limit(1)
    .for("update", { of: members });
  return row;
}

/** Replaces any earlier link of this user: only the newest emailed link works. */
export async function issueMemberLinkToken(tx: Tx, userId: string, now: Date): Promise<{ token: string; expiresAt: Date }> {
  const identifier = memberLinkIdentifier(userId);
  const { raw, hash } = newMemberLinkToken();
  const expiresAt = new Date(now.getTime() + MEMBER_LINK_TTL_MS);
  await tx.delete(verificationTokens).where(eq(verificationTokens.identifier, identifier));
  await tx.insert(verificationTokens).values({ identifier, token: hash, expires: expiresAt });
  return { token: raw, expiresAt };
}

/** A brand-new member (no points to protect), linked to the user at once. */
export async function enrolNewMember(tx: Tx, user: { id: string; email: string | null; name: string | null }): Promise<number> {
  const { member } = await ensureMember(tx as unknown as Db, {
    externalId: `web-${crypto.randomUUID()}`,
    email: user.email,
    name: user.name,
  });
  await tx.update(users).set({ memberId: member.id }).where(eq(users.id, user.id));
  await auditMemberLink(tx, user.id, member.id, "new member at sign-up");
  return member.id;
}

/**
 * Linking a member to an account hands its points and history to whoever holds the account: on
 * the audit log with the account, the member and how (issue 10), in the linking transaction.
 */
export async function auditMemberLink(tx: Tx, userId: string, memberId: number, via: "emailed link" | "new member at sign-up"): Promise<void> {
  await writeAudit(tx, { actor: `user:${userId}`, action: "member.link", targetType: "user", targetId: userId, memberId, after: { memberId, via } });
}

export type MembershipStart = { status: "enrolled"; memberId: number } | { status: "pending"; token: string; expiresAt: Date } | { status: "pending_unsent" };

/**
 * What a new user gets. An email that matches an existing member's only proves someone typed it:
 * the member (and its points) is linked only once the emailed link comes back (verify-member-link.ts).
 * Any other email enrols a new member straight away, so joining stays one step.
 */
export async function startMembership(
  tx: Tx,
  user: { id: string; email: string | null; name: string | null },
  now: Date,
  options: { issueToken: boolean },
): Promise<MembershipStart> {
  const existing = await findUnclaimedMember(tx, user.email);
  if (!existing) return { status: "enrolled", memberId: await enrolNewMember(tx, user) };
  if (!options.issueToken) return { status: "pending_unsent" };
  return { status: "pending", ...(await issueMemberLinkToken(tx, user.id, now)) };
}
