import { and, asc, eq, or, sql } from "drizzle-orm";
import type { Db, Tx } from "@/db/client";
import {
  auditLog,
  loginCheckIns,
  members,
  notifications,
  pointBalances,
  pointHolds,
  pointTransactions,
  rewardCouponCodes,
  tierHistory,
  userRoles,
  users,
  type Member,
} from "@/db/schema";
import { writeAudit } from "../audit/audit-log";
import { LoyaltyError } from "../errors";
import { authorize, type Actor } from "../access/staff-permissions";

/**
 * A member's data as one JSON document (issue 13, docs/privacy.md): profile and account, balance,
 * every ledger row and the open lots, holds, coupon codes, notifications, check-ins, tier changes
 * and the audit entries about the member or its account. Read in one repeatable-read transaction
 * (one consistent snapshot), which also writes the `member.export` audit entry of a staff or API
 * export: who exported whom, how, and how many rows of each kind. A member's download of their own
 * data is not audited: it reaches no one else's, and it is a read like any page of the portal. Never included: password hash, second-factor secrets,
 * session tokens, hash-chain columns, audit salts.
 */
export const EXPORT_FORMAT = "loyalty-member-export/1";

export type ExportChannel = "console" | "api" | "cli" | "portal";

async function collect(tx: Tx, member: Member, now: Date) {
  const [user] = await tx
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      emailVerified: users.emailVerified,
      twoFactorEnabled: sql<boolean>`${users.totpEnabledAt} is not null`,
      createdAt: users.createdAt,
    })
    .from(users)
    .where(eq(users.memberId, member.id))
    .limit(1);
  const roles = user ? (await tx.select({ role: userRoles.role }).from(userRoles).where(eq(userRoles.userId, user.id))).map((r) => r.role) : [];
  const about = [eq(auditLog.memberId, member.id)];
  if (user) {
    about.push(eq(auditLog.actor, `user:${user.id}`), and(eq(auditLog.targetType, "user"), eq(auditLog.targetId, user.id))!);
    if (user.email) about.push(and(eq(auditLog.targetType, "account"), sql`lower(${auditLog.targetId}) = lower(${user.email})`)!);
  }
  const [balance] = await tx
    .select({
      availablePoints: pointBalances.availablePoints,
      totalEarned: pointBalances.totalEarned,
      totalRedeemed: pointBalances.totalRedeemed,
      tierSpend12m: pointBalances.tierSpend12m,
      updatedAt: pointBalances.updatedAt,
    })
    .from(pointBalances)
    .where(eq(pointBalances.memberId, member.id));
  const transactions = await tx.select().from(pointTransactions).where(eq(pointTransactions.memberId, member.id)).orderBy(asc(pointTransactions.id));
  const lots = transactions
    .filter((t) => t.remaining !== null && t.remaining > 0)
    .map((t) => ({
      transactionId: t.id,
      amount: t.amount,
      remaining: t.remaining,
      expiresAt: t.expiresAt,
      vestsAt: t.vestsAt,
      expired: t.expiresAt !== null && t.expiresAt <= now,
    }));
  const [holds, coupons, inbox, checkIns, tiers, audit] = await Promise.all([
    tx.select().from(pointHolds).where(eq(pointHolds.memberId, member.id)).orderBy(asc(pointHolds.id)),
    tx
      .select({
        rewardId: rewardCouponCodes.rewardId,
        code: rewardCouponCodes.code,
        transactionId: rewardCouponCodes.transactionId,
        issuedAt: rewardCouponCodes.issuedAt,
      })
      .from(rewardCouponCodes)
      .where(eq(rewardCouponCodes.memberId, member.id))
      .orderBy(asc(rewardCouponCodes.id)),
    tx.select().from(notifications).where(eq(notifications.memberId, member.id)).orderBy(asc(notifications.id)),
    tx.select().from(loginCheckIns).where(eq(loginCheckIns.memberId, member.id)).orderBy(asc(loginCheckIns.day)),
    tx.select().from(tierHistory).where(eq(tierHistory.memberId, member.id)).orderBy(asc(tierHistory.id)),
    tx
      .select()
      .from(auditLog)
      .where(or(...about))
      .orderBy(asc(auditLog.id)),
  ]);
  return {
    format: EXPORT_FORMAT,
    exportedAt: now.toISOString(),
    member: {
      id: member.id,
      externalId: member.externalId,
      email: member.email,
      name: member.name,
      tier: member.tier,
      createdAt: member.createdAt,
      erasedAt: member.erasedAt,
    },
    account: user ? { ...user, roles } : null,
    balance: balance ?? null,
    transactions,
    lots,
    // A fingerprint is the idempotency key's hash, nothing of the member's.
    holds: holds.map((h) => ({ ...h, requestFingerprint: undefined })),
    couponCodes: coupons,
    notifications: inbox,
    checkIns,
    tierHistory: tiers,
    auditEntries: audit,
  };
}

export type MemberExport = Awaited<ReturnType<typeof collect>>;

/** The export and its audit entry, in one snapshot. */
async function exportOf(db: Db, memberId: number, actor: Actor | string, channel: ExportChannel, now: Date): Promise<MemberExport> {
  return db.transaction(
    async (tx) => {
      const [member] = await tx.select().from(members).where(eq(members.id, memberId)).limit(1);
      if (!member) throw new LoyaltyError("member_not_found", "No such member.");
      const data = await collect(tx, member, now);
      if (channel === "portal") return data;
      await writeAudit(tx, {
        actor,
        action: "member.export",
        targetType: "member",
        targetId: member.id,
        memberId: member.id,
        after: {
          format: "json",
          via: channel,
          transactions: data.transactions.length,
          holds: data.holds.length,
          notifications: data.notifications.length,
          checkIns: data.checkIns.length,
          auditEntries: data.auditEntries.length,
        },
      });
      return data;
    },
    { isolationLevel: "repeatable read" },
  );
}

/** Staff (support, admin) and API keys with `members:export`: any member, by id or external id. */
export async function exportMemberData(
  db: Db,
  actor: Actor,
  input: { memberId?: number; externalId?: string },
  options: { channel: ExportChannel; now?: Date },
): Promise<MemberExport> {
  authorize(actor, "members:export");
  const [member] = await db
    .select({ id: members.id })
    .from(members)
    .where(input.memberId !== undefined ? eq(members.id, input.memberId) : eq(members.externalId, input.externalId ?? ""))
    .limit(1);
  if (!member) throw new LoyaltyError("member_not_found", "No such member.", { field: input.memberId !== undefined ? "memberId" : "externalId" });
  return exportOf(db, member.id, actor, options.channel, options.now ?? new Date());
}

/** The portal's "Download my data": the signed-in account's own member, nobody else's. */
export async function exportOwnData(db: Db, user: { id: string; memberId: number | null }, now = new Date()): Promise<MemberExport> {
  if (user.memberId === null) throw new LoyaltyError("member_not_found", "This account has no membership.");
  return exportOf(db, user.memberId, `user:${user.id}`, "portal", now);
}

/** The download's file name: the member id only (an external id or email in a file name would travel in logs). */
export function exportFileName(data: MemberExport): string {
  return `member-${data.member.id}-data-${data.exportedAt.slice(0, 10)}.json`;
}
