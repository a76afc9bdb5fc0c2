import { and, asc, gt, isNull, lte, or, sql } from "drizzle-orm";
import { queryRows, type Executor, type Tx } from "@/db/client";
import { earningCaps, earningRules, type AppliedRules, type EarningCap, type EarningRule, type EarningCapPeriod } from "@/db/schema";
import { pgArray } from "./pg-array";

type Windows = Record<EarningCapPeriod, { from: Date; to: Date }>;
const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;

/**
 * Earning rules not retired whose window overlaps [from, until]: a batch passes its earliest and
 * latest occurredAt and the pure rule picks per event, so one query serves the whole batch.
 */
export async function findRulesInForce(ex: Executor, from: Date, until: Date = from): Promise<EarningRule[]> {
  return ex
    .select()
    .from(earningRules)
    .where(and(isNull(earningRules.retiredAt), lte(earningRules.startsAt, until), or(isNull(earningRules.endsAt), gt(earningRules.endsAt, from))))
    .orderBy(asc(earningRules.id));
}

/** Caps not retired whose window overlaps [from, until], oldest first (the order they cut points in). */
export async function findCapsInForce(ex: Executor, from: Date, until: Date = from): Promise<EarningCap[]> {
  return ex
    .select()
    .from(earningCaps)
    .where(and(isNull(earningCaps.retiredAt), lte(earningCaps.startsAt, until), or(isNull(earningCaps.endsAt), gt(earningCaps.endsAt, from))))
    .orderBy(asc(earningCaps.id));
}

export interface CapUsageRow {
  memberId: number;
  eventType: string;
  period: EarningCapPeriod;
  /** 'YYYY-MM-DD', the period's first UTC day. */
  start: string;
  awards: number;
  points: number;
}

/**
 * What the batch's members already earned in [from, to), as awards (earn rows with points) and their
 * points, per member, event type and UTC day, ISO week and month: one grouped statement for the
 * batch, whatever its size. It runs in the accrual's first pipeline right after the statement that
 * locks the members' balance rows, so it reads every award of a batch that held those locks before
 * (read committed: each statement has its own snapshot); two batches for one member therefore
 * count one after the other. It reads only what a cap not retired can look at: the event types caps
 * name (all four when one caps every type) and the widest window of the kinds of period they have
 * (`windows`, lib/loyalty/accrual/earning-context.ts), so caps per day read the day's awards; when no cap
 * is in force it reads nothing. Rows of kinds no cap has are grouped too, from a narrower window,
 * and never looked up.
 */
export async function capUsage(tx: Tx, externalIds: readonly string[], windows: Windows): Promise<CapUsageRow[]> {
  if (externalIds.length === 0) return [];
  const rows = await queryRows<{
    member_id: string | number;
    reference_type: string;
    d: string | null;
    w: string | null;
    m: string | null;
    awards: number;
    points: string | number;
  }>(
    tx,
    sql`SELECT member_id, reference_type, d, w, m, count(*)::int AS awards, sum(amount) AS points
        FROM (SELECT t.member_id, t.reference_type, t.amount,
                     to_char(t.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS d,
                     to_char(date_trunc('week', t.occurred_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS w,
                     to_char(date_trunc('month', t.occurred_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS m
              FROM point_transactions t
              WHERE t.member_id = ANY(ARRAY(SELECT id FROM members WHERE external_id = ANY(${pgArray([...new Set(externalIds)])}::text[])))
                AND t.type = 'earn' AND t.amount > 0
                AND t.reference_type IN ('purchase', 'referral', 'review', 'login')
                AND t.reference_type = ANY(ARRAY(SELECT coalesce(c.event_type::text, x.t) FROM earning_caps c
                                                 CROSS JOIN unnest('{purchase,referral,review,login}'::text[]) AS x(t)
                                                 WHERE c.retired_at IS NULL AND (c.event_type IS NULL OR c.event_type::text = x.t)))
                AND t.occurred_at >= (SELECT least(CASE WHEN bool_or(c.period = 'day') THEN ${ts(windows.day.from)} END,
                                                   CASE WHEN bool_or(c.period = 'week') THEN ${ts(windows.week.from)} END,
                                                   CASE WHEN bool_or(c.period = 'month') THEN ${ts(windows.month.from)} END)
                                      FROM earning_caps c WHERE c.retired_at IS NULL)
                AND t.occurred_at < (SELECT greatest(CASE WHEN bool_or(c.period = 'day') THEN ${ts(windows.day.to)} END,
                                                     CASE WHEN bool_or(c.period = 'week') THEN ${ts(windows.week.to)} END,
                                                     CASE WHEN bool_or(c.period = 'month') THEN ${ts(windows.month.to)} END)
                                     FROM earning_caps c WHERE c.retired_at IS NULL)) s
        GROUP BY GROUPING SETS ((member_id, reference_type, d), (member_id, reference_type, w), (member_id, reference_type, m))`,
  );
  return rows.map((r) => ({
    memberId: Number(r.member_id),
    eventType: r.reference_type,
    period: r.d !== null ? "day" : r.w !== null ? "week" : "month",
    start: (r.d ?? r.w ?? r.m)!,
    awards: Number(r.awards),
    points: Number(r.points),
  }));
}

export interface LineRefunds {
  /** Refunds so far that named lines, and those that did not. */
  byLines: number;
  byAmount: number;
  /** Cents returned so far per SKU, and the weight returned in all. */
  returnedCents: Map<string, number>;
  returnedWeight: bigint;
}

/** How the purchases' refunds so far returned lines (docs/ledger.md, refunds of lines), by purchase id. */
export async function lineRefundsSoFar(ex: Executor, purchaseIds: readonly number[]): Promise<Map<number, LineRefunds>> {
  const out = new Map<number, LineRefunds>();
  if (purchaseIds.length === 0) return out;
  const rows = await queryRows<{ related_transaction_id: string | number; returned: AppliedRules["returned"] | null }>(
    ex,
    sql`SELECT related_transaction_id, applied_rules->'returned' AS returned FROM point_transactions
        WHERE related_transaction_id = ANY(${pgArray(purchaseIds)}::bigint[]) AND reference_type = 'refund'`,
  );
  for (const row of rows) {
    const id = Number(row.related_transaction_id);
    const refunds = out.get(id) ?? { byLines: 0, byAmount: 0, returnedCents: new Map(), returnedWeight: 0n };
    if (row.returned) {
      refunds.byLines += 1;
      for (const line of row.returned) {
        refunds.returnedCents.set(line.sku, (refunds.returnedCents.get(line.sku) ?? 0) + line.cents);
        refunds.returnedWeight += BigInt(line.weight);
      }
    } else refunds.byAmount += 1;
    out.set(id, refunds);
  }
  return out;
}
