import type { CapUsageRow } from "@/db/queries/earning-rules";
import { periodStart, usageKey, type CapUsage } from "./rules/earning";

const DAY_MS = 86_400_000;

/**
 * The instants whose awards the batch's caps may count: from the earliest start of a week or month
 * holding the batch's first event to the latest end of one holding its last (a week can start in
 * the month before).
 */
export function capUsageWindow(earliest: Date, latest: Date): { from: Date; to: Date } {
  const from = Math.min(Date.parse(periodStart("week", earliest)), Date.parse(periodStart("month", earliest)));
  const weekEnd = Date.parse(periodStart("week", latest)) + 7 * DAY_MS;
  const monthStart = new Date(periodStart("month", latest));
  const monthEnd = Date.UTC(monthStart.getUTCFullYear(), monthStart.getUTCMonth() + 1, 1);
  return { from: new Date(from), to: new Date(Math.max(weekEnd, monthEnd)) };
}

/** The grouped rows as the planner looks them up (rules/earning.ts, usageKey). */
export function usageMap(rows: readonly CapUsageRow[]): Map<string, CapUsage> {
  return new Map(rows.map((r) => [usageKey(r.memberId, r.eventType, r.period, r.start), { awards: r.awards, points: r.points }]));
}
