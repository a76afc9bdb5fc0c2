import { sql } from "drizzle-orm";
import { queryRows, type Executor } from "@/db/client";
import type { TierCode } from "@/db/schema";
import { getTiers } from "./get-program-settings";
import { tierForSpend, tierRank } from "../rules/tier-thresholds";

export interface TierChangePreview {
  moves: { from: TierCode; to: TierCode; members: number }[];
  upgraded: number;
  downgraded: number;
}

/**
 * How many members new thresholds would move, from each member's spend as of the last
 * recalculation (the figure the nightly job keeps). Counts only the members concerned (non-zero
 * spend or above the lowest tier) unless zero spend itself would lift members out of the lowest tier.
 */
export async function previewTierChange(ex: Executor, proposed: Partial<Record<TierCode, number>>): Promise<TierChangePreview> {
  const thresholds = (await getTiers(ex)).map((t) => ({
    ...t,
    minSpend12m: proposed[t.code] ?? t.minSpend12m,
  }));
  const lowest = thresholds[0]!.code;
  // Same precedence as tierForSpend: the highest threshold reached wins, ties to the higher rank.
  const descending = [...thresholds].sort((a, b) => b.minSpend12m - a.minSpend12m || b.rank - a.rank);
  const newTier = sql.join(
    [sql`CASE`, ...descending.map((t) => sql`WHEN b.tier_spend_12m >= ${t.minSpend12m} THEN ${t.code}`), sql`ELSE ${lowest} END`],
    sql` `,
  );
  const candidates =
    tierForSpend(0, thresholds) === lowest
      ? sql`SELECT member_id AS id FROM point_balances WHERE has_tier_spend
            UNION SELECT id FROM members WHERE tier <> ${lowest}`
      : sql`SELECT member_id AS id FROM point_balances`;
  const rows = await queryRows<{ from_tier: TierCode; to_tier: TierCode; members: string | number }>(
    ex,
    sql`SELECT from_tier, to_tier, count(*) AS members FROM (
          SELECT m.tier AS from_tier, (${newTier})::text AS to_tier
          FROM (${candidates}) c
          JOIN point_balances b ON b.member_id = c.id
          JOIN members m ON m.id = c.id
        ) t
        WHERE from_tier::text <> to_tier
        GROUP BY from_tier, to_tier
        ORDER BY from_tier, to_tier`,
  );
  const moves = rows.map((r) => ({ from: r.from_tier, to: r.to_tier as TierCode, members: Number(r.members) }));
  const rankOf = (code: TierCode) => tierRank(code, thresholds);
  return {
    moves,
    upgraded: moves.filter((m) => rankOf(m.to) > rankOf(m.from)).reduce((n, m) => n + m.members, 0),
    downgraded: moves.filter((m) => rankOf(m.to) < rankOf(m.from)).reduce((n, m) => n + m.members, 0),
  };
}
