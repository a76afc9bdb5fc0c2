import { sql } from "drizzle-orm";
import { queryRows, type Db, type Executor } from "@/db/client";
import { pgArray } from "@/db/queries/pg-array";
import { windowSpendOf } from "@/db/queries/tier-spend";
import type { TierCode } from "@/db/schema";
import { notifyMembersChanged } from "../ledger/members-changed";
import { reviewTier } from "../rules/tier-retention";
import { getProgramSettings, getTiers } from "../program/get-program-settings";
import { tierForSpend, tierWindowStart, type TierThreshold } from "../rules/tier-thresholds";

export { previewTierChange, type TierChangePreview } from "../program/preview-tier-change";

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

/**
 * Nightly job: recomputes every affected member's rolling purchase spend (the programme's
 * qualification period, 12 months by default) from the ledger and reviews each member's tier
 * (rules/tier-retention.ts: up at once; below the threshold, a grace, then one step down), writing
 * tier_history for each move and members.tier_grace_ends_at when a grace starts or ends.
 *
 * The work grows with the members concerned, not with the member table: those with purchases in
 * the window (one pass over point_transactions_spend_idx, their ids kept in memory in order), plus
 * members whose cached spend is non-zero or whose tier is not the zero-spend tier (partial indexes),
 * who may have to decay. Members are then handled in id-ordered batches, one short transaction
 * each, so accruals wait at most one batch for a balance row. Each batch sums its members' spend
 * under their balance locks, so a slower concurrent run can never write older figures over newer.
 */
export async function recalculateTiers(
  db: Db,
  options: { now: Date; batchSize?: number; onProgress?: (p: TierRecalculationProgress) => void },
): Promise<TierRecalculationResult> {
  const { now } = options;
  const batchSize = options.batchSize ?? 1000;
  const [thresholds, settings] = await Promise.all([getTiers(db), getProgramSettings(db)]);
  const review: Review = { thresholds, graceDays: settings.tierGraceDays, now };
  const zeroSpendTier = tierForSpend(0, thresholds);
  const lowestTier = thresholds[0]!.code;

  const windowStart = tierWindowStart(now, settings.tierQualificationMonths);
  const spenders = await windowSpenders(db, windowStart, now);
  const progress: TierRecalculationProgress = {
    membersChecked: 0,
    upgraded: 0,
    downgraded: 0,
    batches: 0,
    spenders: spenders.length,
  };

  let cursor = 0;
  let next = 0; // index of the first spender after the cursor
  for (;;) {
    const spenderChunkEnd = Math.min(next + batchSize, spenders.length);
    const exhausted = spenderChunkEnd === spenders.length;
    let upper = exhausted ? Number.MAX_SAFE_INTEGER : spenders[spenderChunkEnd - 1]!;

    const stale = zeroSpendTier === lowestTier ? await staleMembers(db, cursor, upper, batchSize, lowestTier) : await allMembers(db, cursor, upper, batchSize);
    if (stale.length === batchSize) upper = Math.min(upper, stale[stale.length - 1]!);

    const batch = new Set<number>();
    while (next < spenders.length && spenders[next]! <= upper) batch.add(spenders[next++]!);
    for (const id of stale) if (id <= upper) batch.add(id);
    if (batch.size === 0 && exhausted && stale.length < batchSize) break;

    const moved = await applyBatch(
      db,
      [...batch].sort((a, b) => a - b),
      review,
      windowStart,
    );
    // Committed: cached summaries show tier and 12-month spend, so those of the changed members go.
    await notifyMembersChanged(moved.changed);
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

/**
 * Members with purchase or refund rows in the window, ascending by id. One index-only pass; serial
 * with room to hash in memory, because under load a parallel plan with the (far too low) distinct
 * estimate spilled and took minutes where this takes ~20 s for 9M rows / 960k members here.
 * work_mem: with the server's default 4 MB the DISTINCT over 1M members spilled to disk and did
 * not finish in 11 minutes; with 128 MB it took 13.6 s (BENCHMARKS.md). SET LOCAL keeps the
 * allowance to this one read-only transaction of the one job connection, so request connections
 * keep the small default. Far above 1M spenders, re-measure with `npm run bench:jobs`.
 */
async function windowSpenders(db: Db, windowStart: Date, now: Date): Promise<number[]> {
  const rows = await db.transaction(async (tx) => {
    await tx.execute(sql`SET LOCAL max_parallel_workers_per_gather = 0`);
    await tx.execute(sql`SET LOCAL work_mem = '128MB'`);
    return queryRows<{ member_id: string | number }>(
      tx,
      sql`SELECT DISTINCT member_id
          FROM point_transactions
          WHERE spend_amount IS NOT NULL
            AND occurred_at > ${windowStart.toISOString()}::timestamptz
            AND occurred_at <= ${now.toISOString()}::timestamptz
          ORDER BY member_id`,
    );
  });
  return rows.map((r) => Number(r.member_id));
}

/** Members that may need to decay: cached spend above zero, or above the lowest tier (every member in grace is). */
async function staleMembers(ex: Executor, after: number, upTo: number, limit: number, lowestTier: TierCode): Promise<number[]> {
  const rows = await queryRows<{ id: string | number }>(
    ex,
    sql`SELECT id FROM (
          (SELECT member_id AS id FROM point_balances
            WHERE has_tier_spend AND member_id > ${after} AND member_id <= ${upTo}
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

interface Review {
  /** Lowest rank first. */
  thresholds: readonly TierThreshold[];
  graceDays: number;
  now: Date;
}

async function applyBatch(
  db: Db,
  ids: readonly number[],
  review: Review,
  windowStart: Date,
): Promise<{ checked: number; upgraded: number; downgraded: number; changed: number[] }> {
  if (ids.length === 0) return { checked: 0, upgraded: 0, downgraded: 0, changed: [] };
  const { thresholds, now } = review;
  const rankOf = new Map(thresholds.map((t, i) => [t.code, i]));
  return db.transaction(async (tx) => {
    // Balance rows first, in member-id order: the same order accrual locks them, so no deadlock.
    await tx.execute(sql`SELECT member_id FROM point_balances
      WHERE member_id = ANY(${pgArray(ids)}::bigint[]) ORDER BY member_id FOR UPDATE`);
    // Read after the locks are held, in a new statement: its snapshot includes what a concurrent run
    // committed before letting go of them (a joined row in the locking statement could be older).
    const current = await queryRows<{
      member_id: string | number;
      tier_spend_12m: string | number;
      tier: TierCode;
      tier_grace_ends_at: Date | string | null;
    }>(
      tx,
      sql`SELECT b.member_id, b.tier_spend_12m, m.tier, m.tier_grace_ends_at
          FROM point_balances b JOIN members m ON m.id = b.member_id
          WHERE b.member_id = ANY(${pgArray(ids)}::bigint[])`,
    );
    const spendById = await windowSpendOf(tx, ids, windowStart);
    const spendChanges: { id: number; spend: number }[] = [];
    const tierChanges: { id: number; from: TierCode; to: TierCode; spend: number }[] = [];
    const graceChanges: { id: number; endsAt: string | null }[] = [];
    let upgraded = 0;
    let downgraded = 0;
    for (const row of current) {
      const id = Number(row.member_id);
      const spend = spendById.get(id) ?? 0;
      if (Number(row.tier_spend_12m) !== spend) spendChanges.push({ id, spend });
      const rank = rankOf.get(row.tier)!;
      const graceBefore = row.tier_grace_ends_at === null ? null : new Date(row.tier_grace_ends_at).getTime();
      const decision = reviewTier({
        rank,
        earnedRank: rankOf.get(tierForSpend(spend, thresholds))!,
        graceEndsAt: graceBefore,
        now: now.getTime(),
        graceDays: review.graceDays,
      });
      if (decision.graceEndsAt !== graceBefore) {
        graceChanges.push({ id, endsAt: decision.graceEndsAt === null ? null : new Date(decision.graceEndsAt).toISOString() });
      }
      if (decision.rank !== rank) {
        tierChanges.push({ id, from: row.tier, to: thresholds[decision.rank]!.code, spend });
        if (decision.rank > rank) upgraded++;
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
    if (tierChanges.length > 0 || graceChanges.length > 0) {
      // One statement for tier and grace: a member missing from one list keeps that column.
      const byId = new Map<number, { tier: TierCode | null; grace: string | null; setGrace: boolean }>();
      for (const c of tierChanges) byId.set(c.id, { tier: c.to, grace: null, setGrace: false });
      for (const c of graceChanges) byId.set(c.id, { tier: byId.get(c.id)?.tier ?? null, grace: c.endsAt, setGrace: true });
      const entries = [...byId.entries()];
      await tx.execute(sql`
        UPDATE members m
        SET tier = coalesce(v.tier, m.tier),
            tier_grace_ends_at = CASE WHEN v.set_grace THEN v.grace ELSE m.tier_grace_ends_at END
        FROM unnest(${pgArray(entries.map(([id]) => id))}::bigint[],
                    ${pgArray(entries.map(([, e]) => e.tier))}::tier_code[],
                    ${pgArray(entries.map(([, e]) => e.grace))}::timestamptz[],
                    ${pgArray(entries.map(([, e]) => (e.setGrace ? "t" : "f")))}::boolean[]) AS v(id, tier, grace, set_grace)
        WHERE m.id = v.id`);
    }
    if (tierChanges.length > 0) {
      const idList = pgArray(tierChanges.map((c) => c.id));
      const toList = pgArray(tierChanges.map((c) => c.to));
      await tx.execute(sql`
        INSERT INTO tier_history (member_id, from_tier, to_tier, tier_spend_12m, changed_at)
        SELECT * FROM unnest(${idList}::bigint[], ${pgArray(tierChanges.map((c) => c.from))}::tier_code[],
                             ${toList}::tier_code[], ${pgArray(tierChanges.map((c) => c.spend))}::bigint[],
                             array_fill(${now.toISOString()}::timestamptz, ARRAY[${tierChanges.length}::int]))`);
    }
    const changed = [...new Set([...spendChanges.map((c) => c.id), ...tierChanges.map((c) => c.id), ...graceChanges.map((c) => c.id)])];
    return { checked: current.length, upgraded, downgraded, changed };
  });
}
