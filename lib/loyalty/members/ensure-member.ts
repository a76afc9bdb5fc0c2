import { eq } from "drizzle-orm";
import type { Db, Executor, Tx } from "@/db/client";
import { getBalance } from "@/db/queries/balances";
import { heldPointsOf } from "@/db/queries/holds";
import { expiringPoints, pastDuePoints, pendingPointsOf } from "@/db/queries/lots";
import { getMemberByExternalId } from "@/db/queries/members";
import { members, pointBalances, type Member, type TierCode } from "@/db/schema";
import { LoyaltyError } from "../errors";
import { externalIdSchema } from "../accrual/event-input";
import { readTierStanding, type TierStanding } from "./read-tier-standing";
import { isReservedExternalId } from "./erase-member";

export const EXPIRING_SOON_DAYS = 30;

/**
 * Creates the member and its balance row in one transaction, or returns the existing member
 * (`created: false`, email and name left as they were). Safe under concurrency: the unique
 * external_id decides, a loser of the race reads the winner's row.
 */
export async function ensureMember(
  db: Db,
  input: { externalId: string; email?: string | null; name?: string | null },
): Promise<{ member: Member; created: boolean }> {
  return db.transaction((tx) => ensureMemberInTx(tx, input));
}

/** ensureMember inside the caller's transaction (a sign-up with a referral code: referrals.ts). */
export async function ensureMemberInTx(
  tx: Tx,
  input: { externalId: string; email?: string | null; name?: string | null },
): Promise<{ member: Member; created: boolean }> {
  const externalId = externalIdSchema.parse(input.externalId);
  // erased:<id> is the tombstone of an erased member (docs/privacy.md): answered if it exists, never created.
  if (isReservedExternalId(externalId)) {
    const [existing] = await tx.select().from(members).where(eq(members.externalId, externalId)).limit(1);
    if (existing) return { member: existing, created: false };
    throw new LoyaltyError("validation_failed", "externalId: the prefix erased: is reserved for erased members.", { field: "externalId" });
  }
  const [inserted] = await tx
    .insert(members)
    .values({ externalId, email: input.email ?? null, name: input.name ?? null })
    .onConflictDoNothing({ target: members.externalId })
    .returning();
  if (inserted) {
    await tx.insert(pointBalances).values({ memberId: inserted.id });
    return { member: inserted, created: true };
  }
  const [existing] = await tx.select().from(members).where(eq(members.externalId, externalId)).limit(1);
  if (!existing) throw new Error(`member ${externalId} vanished after a conflicting insert`);
  return { member: existing, created: false };
}

export interface MemberSummary extends TierStanding {
  externalId: string;
  email: string | null;
  name: string | null;
  tier: TierCode;
  /**
   * Points the member can use now: the balance less open points past their expiry that the nightly
   * job has not expired yet, less the points live checkout holds reserve and less pending points.
   */
  availablePoints: number;
  /** Points reserved by live checkout holds (not available until captured, voided or expired). */
  heldPoints: number;
  /** Points of purchases still in their return window: not available until they vest. */
  pendingPoints: number;
  totalEarned: number;
  totalRedeemed: number;
  tierSpend12m: number;
  /** Open points expiring within 30 days, one entry per UTC day (the day's earliest expiry instant). */
  expiringSoon: { points: number; expiresAt: Date }[];
}

export async function getMemberSummary(ex: Executor, externalId: string, now: Date = new Date()): Promise<MemberSummary> {
  const member = await getMemberByExternalId(ex, externalId);
  if (!member) throw new LoyaltyError("member_not_found", `No member with externalId ${externalId}.`);
  return summaryOfMember(ex, member, now);
}

/** The summary of a member row already read (the cache loads it by member id). */
export async function summaryOfMember(ex: Executor, member: Member, now: Date = new Date()): Promise<MemberSummary> {
  const until = new Date(now.getTime() + EXPIRING_SOON_DAYS * 24 * 60 * 60 * 1000);
  const [balance, pastDue, expiringSoon, held, pending, standingAt] = await Promise.all([
    getBalance(ex, member.id),
    pastDuePoints(ex, member.id, now),
    expiringPoints(ex, member.id, now, until),
    heldPointsOf(ex, member.id, now),
    pendingPointsOf(ex, member.id, now),
    readTierStanding(ex, { memberId: member.id, tier: member.tier, tierGraceEndsAt: member.tierGraceEndsAt }),
  ]);
  const tierSpend12m = balance?.tierSpend12m ?? 0;
  const standing = standingAt(tierSpend12m);
  return {
    externalId: member.externalId,
    email: member.email,
    name: member.name,
    tier: member.tier,
    availablePoints: (balance?.availablePoints ?? 0) - pastDue - held - pending,
    heldPoints: held,
    pendingPoints: pending,
    totalEarned: balance?.totalEarned ?? 0,
    totalRedeemed: balance?.totalRedeemed ?? 0,
    tierSpend12m,
    expiringSoon,
    ...standing,
  };
}
