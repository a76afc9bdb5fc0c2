import { asc, sql } from "drizzle-orm";
import { queryRows, type Db, type Executor } from "@/db/client";
import { tiers, type TierCode } from "@/db/schema";
import { tierForSpend, tierRank, tierWindowStart, type TierThreshold } from "./tier-rules";

export interface TierRecalculationResult {
  membersChecked: number;
  upgraded: number;
  downgraded: number;
}

export interface TierRecalculationProgress extends TierRecalculationResult {
  batches: number;
  /** Members with purchases in the window; the rest of the work is members whose spend decays. */
  spenders: number;
}

export async function readTierThresholds(ex: Executor): Promise<TierThreshold[]> {
  return ex
    .select({ code: tiers.code, rank: tiers.rank, minSpend12m: tiers.minSpend12m })
    .from(tiers)
    .orderBy(asc(tiers.rank));
}

/** Postgres array literal for a text parameter: both drivers pass it through unchanged. */
const pgArray = (values: readonly (number | string)[]) => `{${values.join(",")}}`;

/**
 * Nightly job: recomputes every affected member's rolling 12-month purchase spend from the ledger
 * and moves members between tiers, writing tier_history for each move.
 *
 * The work grows with the members concerned, not with the member table: the purchases in the
 * window (one pass over point_transactions_spend_idx, kept in memory as member-ordered arrays), plus
 * members whose cached spend is non-zero or whose tier is not the zero-spend tier (partial indexes),
 * who may have to decay. Members are then handled in id-ordered batches, one short transaction
 * each, so accruals wait at most one batch for a balance row.
 */
export async function recalculateTiers(
  db: Db,
  options: { now: Date; batchSize?: number; onProgress?: (p: TierRecalculationProgress) => void },
): Promise<TierRecalculationResult> {
  const { now } = options;
  const batchSize = options.batchSize ?? 1000;
  const thresholds = await readTierThresholds(db);
  const zeroSpendTier = tierForSpend(0, thresholds);
  const lowestTier = thresholds[0]!.code;

  const spend = await windowSpend(db, tierWindowStart(now), now);
  const progress: TierRecalculationProgress = {
    membersChecked: 0,
    upgraded: 0,
    downgraded: 0,
    batches: 0,
    spenders: spend.ids.length,
  };

  let cursor = 0;
  let next = 0; // index of the first spender after the cursor
  for (;;) {
    const spenderChunkEnd = Math.min(next + batchSize, spend.ids.length);
    const exhausted = spenderChunkEnd === spend.ids.length;
    let upper = exhausted ? Number.MAX_SAFE_INTEGER : spend.ids[spenderChunkEnd - 1]!;

    const stale =
      zeroSpendTier === lowestTier
        ? await staleMembers(db, cursor, upper, batchSize, lowestTier)
        : await allMembers(db, cursor, upper, batchSize);
    if (stale.length === batchSize) upper = Math.min(upper, stale[stale.length - 1]!);

    const batch = new Map<number, number>();
    while (next < spend.ids.length && spend.ids[next]! <= upper) {
      batch.set(spend.ids[next]!, spend.sums[next]!);
      next++;
    }
    for (const id of stale) if (id <= upper && !batch.has(id)) batch.set(id, 0);
    if (batch.size === 0 && exhausted && stale.length < batchSize) break;

    const moved = await applyBatch(db, batch, thresholds, now);
    progress.membersChecked += moved.checked;
    progress.upgraded += moved.upgraded;
    progress.downgraded += moved.downgraded;
    progress.batches++;
    options.onProgress?.({ ...progress });

    if (upper === Number.MAX_SAFE_INTEGER) break;
    cursor = upper;
  }
  return { membersChecked: progress.membersChecked, upgraded: progress.upgraded, downgraded: progress.downgraded };
}

/** Purchase spend per member in the window, ascending by member id. Refunds may cancel it; never below 0. */
async function windowSpend(ex: Executor, windowStart: Date, now: Date): Promise<{ ids: number[]; sums: number[] }> {
  const rows = await queryRows<{ member_id: string | number; spend: string | number }>(
    ex,
    sql`SELECT member_id, greatest(sum(spend_amount), 0)::bigint AS spend
        FROM point_transactions
        WHERE spend_amount IS NOT NULL
          AND occurred_at > ${windowStart.toISOString()}::timestamptz
          AND occurred_at <= ${now.toISOString()}::timestamptz
        GROUP BY member_id
        ORDER BY member_id`,
  );
  return { ids: rows.map((r) => Number(r.member_id)), sums: rows.map((r) => Number(r.spend)) };
}

/** Members that may need to decay: cached spend above zero, or above the lowest tier. */
async function staleMembers(
  ex: Executor,
  after: number,
  upTo: number,
  limit: number,
  lowestTier: TierCode,
): Promise<number[]> {
  const rows = await queryRows<{ id: string | number }>(
    ex,
    sql`SELECT id FROM (
          (SELECT member_id AS id FROM point_balances
            WHERE tier_spend_12m <> 0 AND member_id > ${after} AND member_id <= ${upTo}
            ORDER BY member_id LIMIT ${limit})
          UNION
          (SELECT id FROM members
            WHERE tier <> ${lowestTier} AND id > ${after} AND id <= ${upTo}
            ORDER BY id LIMIT ${limit})
        ) s ORDER BY id LIMIT ${limit}`,
  );
  return rows.map((r) => Number(r.id));
}

/** When the lowest threshold is moved above zero spend's tier, every member is concerned. */
async function allMembers(ex: Executor, after: number, upTo: number, limit: number): Promise<number[]> {
  const rows = await queryRows<{ id: string | number }>(
    ex,
    sql`SELECT member_id AS id FROM point_balances
        WHERE member_id > ${after} AND member_id <= ${upTo}
        ORDER BY member_id LIMIT ${limit}`,
  );
  return rows.map((r) => Number(r.id));
}

async function applyBatch(
  db: Db,
  spendById: Map<number, number>,
  thresholds: readonly TierThreshold[],
  now: Date,
): Promise<{ checked: number; upgraded: number; downgraded: number }> {
  if (spendById.size === 0) return { checked: 0, upgraded: 0, downgraded: 0 };
  const ids = [...spendById.keys()].sort((a, b) => a - b);
  return db.transaction(async (tx) => {
    // Balance rows first, in member-id order: the same order accrual locks them, so no deadlock.
    const current = await queryRows<{ member_id: string | number; tier_spend_12m: string | number; tier: TierCode }>(
      tx,
      sql`SELECT b.member_id, b.tier_spend_12m, m.tier
          FROM point_balances b JOIN members m ON m.id = b.member_id
          WHERE b.member_id = ANY(${pgArray(ids)}::bigint[])
          ORDER BY b.member_id
          FOR UPDATE OF b`,
    );
    const spendChanges: { id: number; spend: number }[] = [];
    const tierChanges: { id: number; from: TierCode; to: TierCode; spend: number }[] = [];
    let upgraded = 0;
    let downgraded = 0;
    for (const row of current) {
      const id = Number(row.member_id);
      const spend = spendById.get(id) ?? 0;
      if (Number(row.tier_spend_12m) !== spend) spendChanges.push({ id, spend });
      const to = tierForSpend(spend, thresholds);
      if (to !== row.tier) {
        tierChanges.push({ id, from: row.tier, to, spend });
        if (tierRank(to, thresholds) > tierRank(row.tier, thresholds)) upgraded++;
        else downgraded++;
      }
    }
    if (spendChanges.length > 0) {
      await tx.execute(sql`
        UPDATE point_balances b SET tier_spend_12m = v.spend
        FROM unnest(${pgArray(spendChanges.map((c) => c.id))}::bigint[],
                    ${pgArray(spendChanges.map((c) => c.spend))}::bigint[]) AS v(member_id, spend)
        WHERE b.member_id = v.member_id`);
    }
    if (tierChanges.length > 0) {
      const idList = pgArray(tierChanges.map((c) => c.id));
      const toList = pgArray(tierChanges.map((c) => c.to));
      await tx.execute(sql`
        UPDATE members m SET tier = v.tier
        FROM unnest(${idList}::bigint[], ${toList}::tier_code[]) AS v(id, tier)
        WHERE m.id = v.id`);
      await tx.execute(sql`
        INSERT INTO tier_history (member_id, from_tier, to_tier, tier_spend_12m, changed_at)
        SELECT * FROM unnest(${idList}::bigint[], ${pgArray(tierChanges.map((c) => c.from))}::tier_code[],
                             ${toList}::tier_code[], ${pgArray(tierChanges.map((c) => c.spend))}::bigint[],
                             array_fill(${now.toISOString()}::timestamptz, ARRAY[${tierChanges.length}::int]))`);
    }
    return { checked: current.length, upgraded, downgraded };
  });
}

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
export async function previewTierChange(
  ex: Executor,
  proposed: Partial<Record<TierCode, number>>,
): Promise<TierChangePreview> {
  const thresholds = (await readTierThresholds(ex)).map((t) => ({
    ...t,
    minSpend12m: proposed[t.code] ?? t.minSpend12m,
  }));
  const lowest = thresholds[0]!.code;
  // Same precedence as tierForSpend: the highest threshold reached wins, ties to the higher rank.
  const descending = [...thresholds].sort((a, b) => b.minSpend12m - a.minSpend12m || b.rank - a.rank);
  const newTier = sql.join(
    [
      sql`CASE`,
      ...descending.map((t) => sql`WHEN b.tier_spend_12m >= ${t.minSpend12m} THEN ${t.code}`),
      sql`ELSE ${lowest} END`,
    ],
    sql` `,
  );
  const candidates =
    tierForSpend(0, thresholds) === lowest
      ? sql`SELECT member_id AS id FROM point_balances WHERE tier_spend_12m <> 0
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
