import { and, desc, eq } from "drizzle-orm";
import type { Db, Executor } from "@/db/client";
import { getMemberByExternalId } from "@/db/queries/members";
import { openLots, type OpenLot } from "@/db/queries/lots";
import { getTransaction, listTransactions } from "@/db/queries/transactions";
import {
  adjustmentRequests,
  pointBalances,
  tierHistory,
  type AdjustmentRequest,
  type Member,
  type PointBalance,
  type PointTransaction,
  type TransactionType,
} from "@/db/schema";
import { LoyaltyError } from "../errors";
import { searchMemberPage, type MemberSearchPage } from "./search-members";
import { queueForApproval, type ApprovalPending } from "../adjustments/queue-for-approval";
import { isApprovalRequired, staffGuard } from "../adjustments/four-eyes-guards";
import { checkReason } from "../adjustments/check-reason";
import { REVERSAL_REFERENCE_TYPE, reverseTransaction, type ReverseResult } from "../adjustments/reverse-transaction";
import { actorLabel, authorize, type Actor } from "../access/staff-permissions";

export async function searchMembers(ex: Executor, actor: Actor, query: string, options: { cursor?: string | null } = {}): Promise<MemberSearchPage> {
  authorize(actor, "members:support");
  if (query.length > 200) throw new LoyaltyError("validation_failed", "The search is too long", { field: "q" });
  return searchMemberPage(ex, query, { cursor: options.cursor });
}

export interface MemberProfile {
  member: Member;
  balance: Pick<PointBalance, "availablePoints" | "totalEarned" | "totalRedeemed" | "tierSpend12m" | "updatedAt">;
  /** Open earn lots, soonest expiry first (the order they will be consumed in). */
  lots: OpenLot[];
  lotsTruncated: boolean;
  tierHistory: (typeof tierHistory.$inferSelect)[];
  pendingAdjustments: AdjustmentRequest[];
}

const LOTS_SHOWN = 100;

/** What a support agent sees at the top of a member's page. */
export async function getMemberProfile(ex: Executor, actor: Actor, externalId: string): Promise<MemberProfile> {
  authorize(actor, "members:support");
  const member = await getMemberByExternalId(ex, externalId);
  if (!member) throw new LoyaltyError("member_not_found", `No member ${externalId}`);
  const [balance] = await ex
    .select({
      availablePoints: pointBalances.availablePoints,
      totalEarned: pointBalances.totalEarned,
      totalRedeemed: pointBalances.totalRedeemed,
      tierSpend12m: pointBalances.tierSpend12m,
      updatedAt: pointBalances.updatedAt,
    })
    .from(pointBalances)
    .where(eq(pointBalances.memberId, member.id));
  const lots = await openLots(ex, [member.id]);
  const history = await ex.select().from(tierHistory).where(eq(tierHistory.memberId, member.id)).orderBy(desc(tierHistory.id)).limit(20);
  const pendingAdjustments = await ex
    .select()
    .from(adjustmentRequests)
    .where(and(eq(adjustmentRequests.memberId, member.id), eq(adjustmentRequests.status, "pending")))
    .orderBy(desc(adjustmentRequests.id));
  return {
    member,
    balance: balance ?? { availablePoints: 0, totalEarned: 0, totalRedeemed: 0, tierSpend12m: 0, updatedAt: member.createdAt },
    lots: lots.slice(0, LOTS_SHOWN),
    lotsTruncated: lots.length > LOTS_SHOWN,
    tierHistory: history,
    pendingAdjustments,
  };
}

/** The member's full ledger, newest first, keyset-paginated (same query as the portal and the API). */
export async function getMemberHistory(
  ex: Executor,
  actor: Actor,
  memberId: number,
  page: { cursor?: string | null; limit?: number; types?: readonly TransactionType[] } = {},
): Promise<{ items: PointTransaction[]; nextCursor: string | null }> {
  authorize(actor, "members:support");
  return listTransactions(ex, { memberId, cursor: page.cursor, limit: page.limit ?? 25, types: page.types });
}

export type ReversalOutcome = ({ status: "posted" } & ReverseResult) | ApprovalPending;

/**
 * Support reverses one of this member's transactions (an earn, a redemption, an adjustment) with a
 * reason; the ledger writes the reversal and its audit entry in one transaction. Four-eyes as for
 * adjustments (lib/loyalty/adjustments/four-eyes-guards.ts): beyond the limits, and for every reversal of a
 * redemption, it waits for an admin's approval instead; never for the agent's own member.
 */
export async function reverseMemberTransaction(
  db: Db,
  actor: Actor,
  input: { memberId: number; transactionId: number; reason: string },
  options: { now?: Date } = {},
): Promise<ReversalOutcome> {
  authorize(actor, "members:support");
  const now = options.now ?? new Date();
  const target = Number.isSafeInteger(input.transactionId) ? await getTransaction(db, input.transactionId) : null;
  if (!target || target.memberId !== input.memberId) {
    throw new LoyaltyError("transaction_not_found", "No such transaction for this member.", { field: "transactionId" });
  }
  try {
    const result = await reverseTransaction(
      db,
      { transactionId: target.id, reason: input.reason },
      { now, actor: actorLabel(actor), guard: staffGuard(actor, now) },
    );
    return { status: "posted", ...result };
  } catch (error) {
    if (!isApprovalRequired(error)) throw error;
    const draft = {
      memberId: target.memberId,
      points: error.details.points,
      reason: checkReason(input.reason),
      referenceType: REVERSAL_REFERENCE_TYPE as typeof REVERSAL_REFERENCE_TYPE,
      referenceId: String(target.id),
      relatedTransactionId: target.id,
    };
    return queueForApproval(db, actor, draft, error.details, now);
  }
}
