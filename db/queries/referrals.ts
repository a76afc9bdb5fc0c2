import { and, asc, eq, inArray, isNull, or, sql } from "drizzle-orm";
import { queryRows, type Executor, type Tx } from "@/db/client";
import { members, referrals, type Referral } from "@/db/schema";
import { pgArray } from "./pg-array";

/** Members by referral code (codes already normalised); erased members have none any more. */
export async function membersByReferralCode(ex: Executor, codes: readonly string[]): Promise<Map<string, { id: number; code: string }>> {
  const unique = [...new Set(codes)];
  if (unique.length === 0) return new Map();
  const rows = await ex
    .select({ id: members.id, code: members.referralCode })
    .from(members)
    .where(and(inArray(members.referralCode, unique), isNull(members.erasedAt)));
  return new Map(rows.map((r) => [r.code!, { id: r.id, code: r.code! }]));
}

/** Sets the member's code if it has none (`code` taken by another member: unique violation, the caller draws again). */
export async function setReferralCodeIfNone(ex: Executor, memberId: number, code: string): Promise<string | null> {
  const [row] = await ex
    .update(members)
    .set({ referralCode: code })
    .where(and(eq(members.id, memberId), isNull(members.referralCode)))
    .returning({ code: members.referralCode });
  if (row) return row.code;
  const [existing] = await ex.select({ code: members.referralCode }).from(members).where(eq(members.id, memberId)).limit(1);
  return existing?.code ?? null;
}

/** Lower-cased emails of each member: its own and those of the sign-in accounts linked to it. */
export async function emailsOfMembers(ex: Executor, memberIds: readonly number[]): Promise<Map<number, string[]>> {
  const ids = [...new Set(memberIds)];
  const out = new Map<number, string[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return out;
  const rows = await queryRows<{ member_id: string | number; email: string }>(
    ex,
    sql`SELECT id AS member_id, lower(email) AS email FROM members WHERE id = ANY(${pgArray(ids)}::bigint[]) AND email IS NOT NULL
        UNION
        SELECT member_id, lower(email) FROM users WHERE member_id = ANY(${pgArray(ids)}::bigint[]) AND email IS NOT NULL`,
  );
  for (const r of rows) out.get(Number(r.member_id))?.push(r.email);
  return out;
}

/** Of these (member, row id) pairs, the members that have a ledger row before that id. */
export async function membersWithRowsBefore(ex: Executor, pairs: readonly { memberId: number; beforeId: number }[]): Promise<Set<number>> {
  if (pairs.length === 0) return new Set();
  const rows = await queryRows<{ member_id: string | number }>(
    ex,
    sql`SELECT v.member_id FROM unnest(${pgArray(pairs.map((p) => p.memberId))}::bigint[], ${pgArray(pairs.map((p) => p.beforeId))}::bigint[])
          AS v(member_id, before_id)
        WHERE EXISTS (SELECT 1 FROM point_transactions t WHERE t.member_id = v.member_id AND t.id < v.before_id)`,
  );
  return new Set(rows.map((r) => Number(r.member_id)));
}

/** Whether the member has any ledger row. */
export async function hasLedgerRows(ex: Executor, memberId: number): Promise<boolean> {
  const rows = await queryRows<{ one: number }>(ex, sql`SELECT 1 AS one FROM point_transactions WHERE member_id = ${memberId} LIMIT 1`);
  return rows.length > 0;
}

/**
 * The records a batch may decide: pending ones of the referees that purchased, and rewarded ones
 * whose qualifying purchase is refunded (a refund is the referee's own, so both are found by the
 * referee: one probe of the unique referee index each). Read under the referees' balance locks.
 */
export async function referralsToDecide(
  ex: Executor,
  purchasers: readonly number[],
  refunds: readonly { memberId: number; purchaseId: number }[],
): Promise<Referral[]> {
  const ids = [...new Set([...purchasers, ...refunds.map((r) => r.memberId)])];
  if (ids.length === 0) return [];
  const rows = await ex
    .select()
    .from(referrals)
    .where(and(sql`${referrals.refereeMemberId} = ANY(${pgArray(ids)}::bigint[])`, inArray(referrals.status, ["pending", "rewarded"])));
  const buying = new Set(purchasers);
  const refunded = new Set(refunds.map((r) => r.purchaseId));
  return rows.filter((r) => (r.status === "pending" ? buying.has(r.refereeMemberId) : refunded.has(r.purchaseTransactionId!)));
}

/** Referees that already have a record (any status). */
export async function refereesWithRecords(ex: Executor, refereeIds: readonly number[]): Promise<Set<number>> {
  if (refereeIds.length === 0) return new Set();
  const rows = await ex
    .select({ id: referrals.refereeMemberId })
    .from(referrals)
    .where(inArray(referrals.refereeMemberId, [...new Set(refereeIds)]));
  return new Set(rows.map((r) => r.id));
}

/** Referrals rewarded (rewarded or since reversed) per referrer from `since` on: the monthly limit's count. */
export async function rewardedSince(ex: Executor, referrerIds: readonly number[], since: Date): Promise<Map<number, number>> {
  const ids = [...new Set(referrerIds)];
  if (ids.length === 0) return new Map();
  const rows = await queryRows<{ referrer: string | number; n: string | number }>(
    ex,
    sql`SELECT referrer_member_id AS referrer, count(*) AS n FROM referrals
        WHERE referrer_member_id = ANY(${pgArray(ids)}::bigint[]) AND rewarded_at >= ${since.toISOString()}::timestamptz
          AND status IN ('rewarded', 'reversed')
        GROUP BY referrer_member_id`,
  );
  return new Map(rows.map((r) => [Number(r.referrer), Number(r.n)]));
}

export type NewReferral = typeof referrals.$inferInsert;

/** Inserts a record unless the referee has one; returns the referee's record either way. */
export async function insertReferral(tx: Tx, row: NewReferral): Promise<{ referral: Referral; created: boolean }> {
  const [inserted] = await tx.insert(referrals).values(row).onConflictDoNothing({ target: referrals.refereeMemberId }).returning();
  if (inserted) return { referral: inserted, created: true };
  const [existing] = await tx.select().from(referrals).where(eq(referrals.refereeMemberId, row.refereeMemberId)).limit(1);
  return { referral: existing!, created: false };
}

export async function updateReferral(tx: Tx, id: number, change: Partial<NewReferral>): Promise<void> {
  await tx.update(referrals).set(change).where(eq(referrals.id, id));
}

export interface ReferralListItem {
  id: number;
  direction: "referred" | "referred_by";
  otherExternalId: string;
  otherName: string | null;
  source: string;
  status: string;
  refusalReason: string | null;
  createdAt: Date;
  rewardedAt: Date | null;
  /** This member's points from it (referrer's or referee's side). */
  points: number | null;
  pointsReversed: number | null;
  reversedAt: Date | null;
}

/** A member's referrals both ways (those it made, and the one that brought it), newest first. */
export async function listReferralsOf(ex: Executor, memberId: number, limit = 100): Promise<ReferralListItem[]> {
  const rows = await ex
    .select({ r: referrals, referrer: { externalId: members.externalId, name: members.name } })
    .from(referrals)
    .innerJoin(
      members,
      sql`${members.id} = CASE WHEN ${referrals.referrerMemberId} = ${memberId} THEN ${referrals.refereeMemberId} ELSE ${referrals.referrerMemberId} END`,
    )
    .where(or(eq(referrals.referrerMemberId, memberId), eq(referrals.refereeMemberId, memberId)))
    .orderBy(sql`${referrals.createdAt} DESC`, asc(referrals.id))
    .limit(limit);
  return rows.map(({ r, referrer: other }) => {
    const mine = r.referrerMemberId === memberId;
    return {
      id: r.id,
      direction: mine ? "referred" : "referred_by",
      otherExternalId: other.externalId,
      otherName: other.name,
      source: r.source,
      status: r.status,
      refusalReason: r.refusalReason,
      createdAt: r.createdAt,
      rewardedAt: r.rewardedAt,
      points: mine ? r.referrerPoints : r.refereePoints,
      pointsReversed: mine ? r.referrerPointsReversed : r.refereePointsReversed,
      reversedAt: r.reversedAt,
    };
  });
}
