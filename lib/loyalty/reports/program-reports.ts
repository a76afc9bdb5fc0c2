import { desc, sql } from "drizzle-orm";
import { z } from "zod";
import { queryRows, type Db, type Executor } from "@/db/client";
import { campaigns, type TierCode } from "@/db/schema";
import { campaignResults } from "../campaigns/list-campaigns";
import { latestSnapshot } from "../jobs/take-ledger-snapshot";
import { authorize, type Actor } from "../access/staff-permissions";
import { parseInput } from "../input/parse-input";

export type Granularity = "day" | "month";

export interface FlowRow {
  /** UTC start of the day or month, "YYYY-MM-DD". */
  period: string;
  earned: number;
  redeemed: number;
  expired: number;
  /** Staff adjustments, signed. */
  adjusted: number;
  /** Reversals and refunds, signed. */
  reversed: number;
  net: number;
}

export interface FlowTotals {
  earned: number;
  redeemed: number;
  expired: number;
  adjusted: number;
  reversed: number;
  /** expired / earned over the range; null when nothing was earned. */
  breakageRate: number | null;
}

export const reportRangeSchema = z
  .object({
    granularity: z.enum(["day", "month"]).default("day"),
    from: z.coerce.date(),
    /** Exclusive. */
    to: z.coerce.date(),
  })
  .refine((r) => r.to.getTime() > r.from.getTime(), { path: ["to"], message: "must be after from" })
  .refine((r) => r.to.getTime() - r.from.getTime() <= 10 * 366 * 86_400_000, { path: ["to"], message: "the range is at most 10 years" });

export type ReportRange = z.output<typeof reportRangeSchema>;

const n = (v: unknown) => Number(v ?? 0);

/**
 * Points earned, redeemed, expired and adjusted per UTC day or month, from the ledger in one
 * grouped scan of the range (the BRIN index on created_at limits it to the range's blocks).
 */
export async function pointFlows(ex: Executor, actor: Actor, input: unknown): Promise<FlowRow[]> {
  authorize(actor, "reports:read");
  const range = parseInput(reportRangeSchema, input);
  const unit = range.granularity === "month" ? sql.raw("'month'") : sql.raw("'day'");
  const rows = await queryRows<Record<string, unknown>>(
    ex,
    sql`SELECT to_char(date_trunc(${unit}, created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS period,
               coalesce(sum(amount) FILTER (WHERE type = 'earn'), 0) AS earned,
               coalesce(-sum(amount) FILTER (WHERE type = 'redeem'), 0) AS redeemed,
               coalesce(-sum(amount) FILTER (WHERE type = 'expire'), 0) AS expired,
               coalesce(sum(amount) FILTER (WHERE type = 'adjust'), 0) AS adjusted,
               coalesce(sum(amount) FILTER (WHERE type = 'reverse'), 0) AS reversed,
               coalesce(sum(amount), 0) AS net
        FROM point_transactions
        WHERE created_at >= ${range.from.toISOString()}::timestamptz AND created_at < ${range.to.toISOString()}::timestamptz
        GROUP BY 1 ORDER BY 1`,
  );
  return rows.map((r) => ({
    period: String(r.period),
    earned: n(r.earned),
    redeemed: n(r.redeemed),
    expired: n(r.expired),
    adjusted: n(r.adjusted),
    reversed: n(r.reversed),
    net: n(r.net),
  }));
}

/** Integer sums of the rows; the breakage rate is the only fraction, computed for display. */
export function flowTotals(rows: readonly FlowRow[]): FlowTotals {
  const sum = (key: keyof Omit<FlowRow, "period">) => rows.reduce((total, r) => total + r[key], 0);
  const earned = sum("earned");
  const expired = sum("expired");
  return {
    earned,
    redeemed: sum("redeemed"),
    expired,
    adjusted: sum("adjusted"),
    reversed: sum("reversed"),
    breakageRate: earned > 0 ? expired / earned : null,
  };
}

export interface Liability {
  at: string;
  /** Points members hold (and could still redeem or that will expire) at that instant. */
  points: number;
  /**
   * Of those, the points still pending in a purchase's return window (not redeemable, cancelled by a
   * refund inside it). Known for the present only (null for an instant in the past).
   */
  pendingPoints: number | null;
}

/**
 * Outstanding points at `at` = SUM(amount) of the ledger rows booked up to then. Read from the
 * latest nightly snapshot at or before `at` plus the rows booked between it and `at` (a range over
 * the BRIN index on created_at). Before the first snapshot, or with none, it is the current balances
 * minus what was booked after `at`, so the figure never depends on the job having run. Either way
 * in one repeatable-read snapshot so a concurrent write cannot fall between the two reads.
 */
export async function liabilityAt(db: Db, actor: Actor, at: Date = new Date()): Promise<Liability> {
  authorize(actor, "reports:read");
  const instant = at.toISOString();
  const points = await db.transaction(
    async (tx) => {
      const [fromSnapshot] = await queryRows<{ points: unknown }>(
        tx,
        sql`SELECT s.liability + (SELECT coalesce(sum(amount), 0) FROM point_transactions
                                  WHERE created_at > s.taken_at AND created_at <= ${instant}::timestamptz) AS points
            FROM (SELECT taken_at, liability FROM ledger_snapshots WHERE taken_at <= ${instant}::timestamptz
                  ORDER BY taken_at DESC LIMIT 1) s`,
      );
      if (fromSnapshot) return n(fromSnapshot.points);
      const [now] = await queryRows<{ points: unknown }>(tx, sql`SELECT coalesce(sum(available_points), 0) AS points FROM point_balances`);
      const [after] = await queryRows<{ points: unknown }>(
        tx,
        sql`SELECT coalesce(sum(amount), 0) AS points FROM point_transactions WHERE created_at > ${instant}::timestamptz`,
      );
      return n(now?.points) - n(after?.points);
    },
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );
  const present = at.getTime() >= Date.now() - 60_000;
  const [pending] = present
    ? await queryRows<{ points: unknown }>(
        db,
        sql`SELECT coalesce(sum(remaining), 0) AS points FROM point_transactions
            WHERE vests_at > ${instant}::timestamptz AND remaining > 0`,
      )
    : [];
  return { at: instant, points, pendingPoints: present ? n(pending?.points) : null };
}

export interface TierCounts {
  /** When the counts were taken (the nightly snapshot); null when counted live for want of one. */
  asOf: string | null;
  tiers: { tier: TierCode; members: number }[];
}

/** Members per tier from the latest nightly snapshot; a live count only before the first one. */
export async function membersPerTier(ex: Executor, actor: Actor): Promise<TierCounts> {
  authorize(actor, "reports:read");
  const snapshot = await latestSnapshot(ex);
  if (snapshot) {
    const codes = await queryRows<{ tier: TierCode }>(ex, sql`SELECT code AS tier FROM tiers ORDER BY rank`);
    return { asOf: snapshot.takenAt.toISOString(), tiers: codes.map((c) => ({ tier: c.tier, members: snapshot.tierMembers[c.tier] ?? 0 })) };
  }
  const rows = await queryRows<{ tier: TierCode; members: unknown }>(
    ex,
    sql`SELECT t.code AS tier, count(m.id) AS members FROM tiers t LEFT JOIN members m ON m.tier = t.code GROUP BY t.code, t.rank ORDER BY t.rank`,
  );
  return { asOf: null, tiers: rows.map((r) => ({ tier: r.tier, members: n(r.members) })) };
}

export interface CampaignResultRow {
  id: number;
  name: string;
  multiplier: number;
  startsAt: string;
  endsAt: string;
  pointsAwarded: number;
  membersReached: number;
  transactions: number;
}

/** The latest campaigns with what each awarded (one grouped query for all of them). */
export async function campaignReport(ex: Executor, actor: Actor, limit = 50): Promise<CampaignResultRow[]> {
  authorize(actor, "reports:read");
  const rows = await ex.select().from(campaigns).orderBy(desc(campaigns.startsAt), desc(campaigns.id)).limit(Math.min(limit, 500));
  const results = await campaignResults(
    ex,
    rows.map((r) => r.id),
  );
  return rows.map((c) => ({
    id: c.id,
    name: c.name,
    multiplier: c.multiplier,
    startsAt: c.startsAt.toISOString(),
    endsAt: c.endsAt.toISOString(),
    ...(results.get(c.id) ?? { pointsAwarded: 0, membersReached: 0, transactions: 0 }),
  }));
}
