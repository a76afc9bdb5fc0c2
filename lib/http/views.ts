import type { z } from "zod";
import type { Member, PointTransaction } from "@/db/schema";
import type { EventResult } from "@/lib/loyalty/accrual/record-events";
import type { eventResultSchema, memberSchema, transactionSchema } from "./schemas";

/** What the API shows of stored rows: internal ids of members and bookkeeping columns stay inside. */

export function memberView(member: Member, totals: { totalEarned: number; totalRedeemed: number } | null): z.input<typeof memberSchema> {
  return {
    externalId: member.externalId,
    email: member.email,
    name: member.name,
    tier: member.tier,
    totalEarned: totals?.totalEarned ?? 0,
    totalRedeemed: totals?.totalRedeemed ?? 0,
    createdAt: member.createdAt.toISOString(),
  };
}

export function eventResultView(result: EventResult): z.input<typeof eventResultSchema> {
  const { transactionId, points, multiplier, campaignId, duplicate, alreadyCheckedIn, referral } = result;
  return { transactionId, points, multiplier, campaignId, duplicate, ...(alreadyCheckedIn ? { alreadyCheckedIn } : {}), ...(referral ? { referral } : {}) };
}

export function transactionView(row: PointTransaction): z.input<typeof transactionSchema> {
  return {
    id: row.id,
    type: row.type,
    amount: row.amount,
    referenceType: row.referenceType,
    referenceId: row.referenceId,
    multiplier: row.multiplier,
    campaignId: row.campaignId,
    description: row.description,
    occurredAt: row.occurredAt.toISOString(),
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt?.toISOString() ?? null,
    remaining: row.remaining,
    vestsAt: row.vestsAt?.toISOString() ?? null,
  };
}
