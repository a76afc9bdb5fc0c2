import { and, desc, eq, gte } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { heldPointsOf } from "@/db/queries/holds";
import { expiringPoints, pastDuePoints, pendingPointsOf } from "@/db/queries/lots";
import { loginCheckIns, members, pointBalances, tiers, type TierCode } from "@/db/schema";
import { findActiveCampaigns } from "@/lib/loyalty/campaigns/find-active-campaigns";
import { parsePgArray } from "@/lib/loyalty/campaigns/campaign-row";
import { getProgramSettings, getTiers } from "@/lib/loyalty/program/get-program-settings";
import { readTierStanding, type TierStanding } from "@/lib/loyalty/members/read-tier-standing";
import { tierProgress, type TierInfo, type TierProgress } from "./tier-progress";

const DAY_MS = 86_400_000;

export interface ExpiringPoints {
  expiresAt: Date;
  points: number;
}

export interface ActiveCampaign {
  id: number;
  name: string;
  multiplier: number;
  endsAt: Date;
  eventTypes: string[];
}

export interface Dashboard {
  name: string | null;
  tier: TierCode;
  /** Points the member can redeem now: the cached balance less lots past their expiry the job has not expired yet, less held points. */
  availablePoints: number;
  /** Reserved by live checkout holds. */
  heldPoints: number;
  /** Of purchases still in their return window. */
  pendingPoints: number;
  tierSpend12m: number;
  progress: TierProgress;
  /** Keeping the tier (a running grace's end and the spend still needed), its earn multiplier and benefits. */
  standing: TierStanding;
  expiringSoon: ExpiringPoints[];
  campaigns: ActiveCampaign[];
  checkIn: { checkedInToday: boolean; streak: number };
}

export function utcDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/** The member's own figures: what a committed transaction of the member changes. */
export interface MemberStanding {
  name: string | null;
  tier: TierCode;
  availablePoints: number;
  /** Reserved by live checkout holds; already left out of availablePoints. */
  heldPoints: number;
  /** In a purchase's return window; already left out of availablePoints. */
  pendingPoints: number;
  tierSpend12m: number;
  expiringSoon: ExpiringPoints[];
  standing: TierStanding;
}

/** A live campaign as the dashboard filters and orders it. */
export interface CampaignRow {
  id: number;
  name: string;
  multiplier: number;
  endsAt: Date;
  eventTypes: string[];
  tiers: string[];
}

/** Everything the dashboard shows, for one member, in a handful of indexed reads run together. */
export async function getDashboard(ex: Executor, memberId: number, now: Date): Promise<Dashboard | null> {
  const [standing, tierRows, campaignRows, checkIn] = await Promise.all([
    readMemberStanding(ex, memberId, now),
    readTiers(ex),
    readLiveCampaigns(ex, now),
    readCheckIn(ex, memberId, now),
  ]);
  return standing ? assembleDashboard(standing, tierRows, campaignRows, checkIn) : null;
}

export async function readMemberStanding(ex: Executor, memberId: number, now: Date): Promise<MemberStanding | null> {
  const [memberRows, expiringSoon, pastDue, held, pending, tierRows, settings] = await Promise.all([
    ex
      .select({
        name: members.name,
        tier: members.tier,
        tierGraceEndsAt: members.tierGraceEndsAt,
        availablePoints: pointBalances.availablePoints,
        tierSpend12m: pointBalances.tierSpend12m,
      })
      .from(members)
      .leftJoin(pointBalances, eq(pointBalances.memberId, members.id))
      .where(eq(members.id, memberId)),
    expiringPoints(ex, memberId, now, new Date(now.getTime() + 30 * DAY_MS)),
    pastDuePoints(ex, memberId, now),
    heldPointsOf(ex, memberId, now),
    pendingPointsOf(ex, memberId, now),
    getTiers(ex),
    getProgramSettings(ex),
  ]);
  const member = memberRows[0];
  if (!member) return null;
  // Tiers and settings came with the reads above; only a member in grace costs one more read.
  const standingAt = await readTierStanding(
    ex,
    { memberId, tier: member.tier, tierGraceEndsAt: member.tierGraceEndsAt },
    { tiers: tierRows, qualificationMonths: settings.tierQualificationMonths },
  );
  const standing = standingAt(member.tierSpend12m ?? 0);
  return {
    name: member.name,
    tier: member.tier,
    availablePoints: (member.availablePoints ?? 0) - pastDue - held - pending,
    heldPoints: held,
    pendingPoints: pending,
    tierSpend12m: member.tierSpend12m ?? 0,
    expiringSoon,
    standing,
  };
}

export function readTiers(ex: Executor): Promise<TierInfo[]> {
  return ex.select({ code: tiers.code, name: tiers.name, rank: tiers.rank, minSpend12m: tiers.minSpend12m }).from(tiers);
}

/** Live campaigns in the dashboard's order: highest multiplier first, then the soonest to end. */
export async function readLiveCampaigns(ex: Executor, now: Date): Promise<CampaignRow[]> {
  return orderLiveCampaigns(await findActiveCampaigns(ex, now));
}

export function orderLiveCampaigns(rows: Parameters<typeof campaignRow>[0][]): CampaignRow[] {
  return rows.map(campaignRow).sort((a, b) => b.multiplier - a.multiplier || a.endsAt.getTime() - b.endsAt.getTime());
}

/** The columns the dashboard keeps of a campaign row, arrays parsed whatever the driver returned. */
export function campaignRow(c: { id: number; name: string; multiplier: number | string; endsAt: Date; eventTypes: unknown; tiers: unknown }): CampaignRow {
  return {
    id: c.id,
    name: c.name,
    multiplier: Number(c.multiplier),
    endsAt: c.endsAt,
    eventTypes: parsePgArray(c.eventTypes as string[] | string | null),
    tiers: parsePgArray(c.tiers as string[] | string | null),
  };
}

export async function readCheckIn(ex: Executor, memberId: number, now: Date): Promise<Dashboard["checkIn"]> {
  const [latest] = await ex
    .select({ day: loginCheckIns.day, streak: loginCheckIns.streak })
    .from(loginCheckIns)
    .where(and(eq(loginCheckIns.memberId, memberId), gte(loginCheckIns.day, utcDay(new Date(now.getTime() - DAY_MS)))))
    .orderBy(desc(loginCheckIns.day))
    .limit(1);
  return { checkedInToday: latest?.day === utcDay(now), streak: latest?.streak ?? 0 };
}

/** Highest multiplier first, then the soonest to end; only campaigns open to the member's tier. */
export function assembleDashboard(
  standing: MemberStanding,
  tierRows: readonly TierInfo[],
  campaignRows: readonly CampaignRow[],
  checkIn: Dashboard["checkIn"],
): Dashboard {
  return {
    ...standing,
    progress: tierProgress(standing.tier, standing.tierSpend12m, tierRows),
    campaigns: campaignRows
      .filter((c) => c.tiers.length === 0 || c.tiers.includes(standing.tier))
      .slice(0, 10)
      .map((c) => ({ id: c.id, name: c.name, multiplier: c.multiplier, endsAt: c.endsAt, eventTypes: c.eventTypes })),
    checkIn,
  };
}
