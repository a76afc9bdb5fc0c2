import { and, gt, isNull, lte } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { campaigns, type Campaign } from "@/db/schema";

/**
 * Campaigns that are live (not paused, not archived) and whose window overlaps [at, until]
 * (`until` defaults to `at`, i.e. startsAt <= at < endsAt). A batch of events passes its earliest and
 * latest occurredAt and lets the pure rule `pickCampaign` pick per event, so one query serves the
 * whole batch. The result depends only on the campaigns table, which makes it safe to cache briefly.
 */
export async function findActiveCampaigns(ex: Executor, at: Date, until: Date = at): Promise<Campaign[]> {
  return ex
    .select()
    .from(campaigns)
    .where(and(isNull(campaigns.pausedAt), isNull(campaigns.archivedAt), lte(campaigns.startsAt, until), gt(campaigns.endsAt, at)));
}
