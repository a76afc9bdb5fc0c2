import type { Executor } from "@/db/client";
import type { Campaign } from "@/db/schema";
import { findActiveCampaigns } from "@/lib/loyalty/campaigns/find-active-campaigns";
import { readThrough } from "./cache";
import { CAMPAIGNS_GENERATION, subscribeCacheInvalidation } from "./invalidation";

const TTL_MS = 5 * 60 * 1000;
const BUCKET_MS = 5 * 60 * 1000;

/**
 * The campaigns live at `at` (or overlapping [at, until]), as `findActiveCampaigns` answers. The
 * cache holds every campaign overlapping the enclosing 5-minute buckets and filters exactly here,
 * so one entry serves all instants in its window and a campaign starting mid-bucket is still right.
 * For display and reporting: an accrual decision reads the database (see docs/scaling.md).
 */
export async function cachedActiveCampaigns(ex: Executor, at: Date, until: Date = at): Promise<Campaign[]> {
  subscribeCacheInvalidation();
  const from = Math.floor(at.getTime() / BUCKET_MS) * BUCKET_MS;
  const to = Math.ceil((until.getTime() + 1) / BUCKET_MS) * BUCKET_MS;
  const window = await readThrough({
    key: `ac:${from}:${to}`,
    ttlMs: TTL_MS,
    dependsOn: [CAMPAIGNS_GENERATION],
    load: () => findActiveCampaigns(ex, new Date(from), new Date(to - 1)),
  });
  return window.filter((c) => c.startsAt.getTime() <= until.getTime() && c.endsAt.getTime() > at.getTime());
}
