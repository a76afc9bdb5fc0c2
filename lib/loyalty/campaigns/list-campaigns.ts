import { and, asc, desc, eq, gt, inArray, isNotNull, isNull, lte, or, sql } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { campaigns, pointTransactions, type Campaign } from "@/db/schema";
import { normalizeCampaign } from "./campaign-row";
import { campaignStatus, type CampaignStatus } from "./campaign-status";
import { LoyaltyError } from "../errors";
import { authorize, type Actor } from "../access/staff-permissions";
import { checkRowId } from "../input/parse-input";

export interface CampaignResults {
  pointsAwarded: number;
  membersReached: number;
  transactions: number;
}

export type CampaignView = Campaign & { status: CampaignStatus; results: CampaignResults };

const NO_RESULTS: CampaignResults = { pointsAwarded: 0, membersReached: 0, transactions: 0 };

/** Points each campaign has awarded: one grouped query over the campaign index, not one per campaign. */
export async function campaignResults(ex: Executor, ids: readonly number[]): Promise<Map<number, CampaignResults>> {
  if (ids.length === 0) return new Map();
  const rows = await ex
    .select({
      campaignId: pointTransactions.campaignId,
      pointsAwarded: sql<number>`coalesce(sum(${pointTransactions.amount}), 0)`.mapWith(Number),
      membersReached: sql<number>`count(distinct ${pointTransactions.memberId})`.mapWith(Number),
      transactions: sql<number>`count(*)`.mapWith(Number),
    })
    .from(pointTransactions)
    .where(and(inArray(pointTransactions.campaignId, [...ids]), eq(pointTransactions.type, "earn")))
    .groupBy(pointTransactions.campaignId);
  return new Map(rows.map((r) => [r.campaignId!, { pointsAwarded: r.pointsAwarded, membersReached: r.membersReached, transactions: r.transactions }]));
}

async function withResults(ex: Executor, rows: Campaign[], now: Date): Promise<CampaignView[]> {
  const results = await campaignResults(
    ex,
    rows.map((r) => r.id),
  );
  return rows.map((row) => {
    const c = normalizeCampaign(row);
    return { ...c, status: campaignStatus(c, now), results: results.get(c.id) ?? NO_RESULTS };
  });
}

export interface CampaignLists {
  /** Running, paused or scheduled: not archived and not yet ended; soonest start first. */
  current: CampaignView[];
  /** Ended or archived, most recently ended first. */
  past: CampaignView[];
  nextPastCursor: number | null;
}

export const CAMPAIGN_LIST_LIMIT = 100;

export async function listCampaigns(
  ex: Executor,
  actor: Actor,
  options: { now?: Date; pastCursor?: number | null; limit?: number } = {},
): Promise<CampaignLists> {
  authorize(actor, "campaigns:read");
  const now = options.now ?? new Date();
  const limit = Math.min(options.limit ?? CAMPAIGN_LIST_LIMIT, CAMPAIGN_LIST_LIMIT);
  const current = await ex
    .select()
    .from(campaigns)
    .where(and(isNull(campaigns.archivedAt), gt(campaigns.endsAt, now)))
    .orderBy(asc(campaigns.startsAt), asc(campaigns.id))
    .limit(limit);
  const pastRows = await ex
    .select()
    .from(campaigns)
    .where(and(or(isNotNull(campaigns.archivedAt), lte(campaigns.endsAt, now)), options.pastCursor ? sql`${campaigns.id} < ${options.pastCursor}` : undefined))
    .orderBy(desc(campaigns.id))
    .limit(limit + 1);
  const past = pastRows.slice(0, limit);
  return {
    current: await withResults(ex, current, now),
    past: await withResults(ex, past, now),
    nextPastCursor: pastRows.length > limit ? past[past.length - 1]!.id : null,
  };
}

export async function getCampaign(ex: Executor, actor: Actor, id: number, now = new Date()): Promise<CampaignView> {
  authorize(actor, "campaigns:read");
  checkRowId(id, "campaign_not_found", "campaign");
  const [row] = await ex.select().from(campaigns).where(eq(campaigns.id, id));
  if (!row) throw new LoyaltyError("campaign_not_found", `No campaign ${id}`);
  return (await withResults(ex, [row], now))[0]!;
}
