import type { CapUsageRow } from "@/db/queries/earning-rules";
import { periodStart, usageKey, type CapUsage } from "../rules/earning";

const DAY_MS = 86_400_000;

export interface Window {
  from: Date;
  to: Date;
}

/**
 * The instants whose awards the batch's caps may count, per kind of period: from the start of the
 * day, ISO week or month holding the batch's first event to the end of the one holding its last.
 * The usage statement reads only the widest window of the kinds its caps have (a week can start in
 * the month before), so caps per day read a day of awards, not a month.
 */
export function capUsageWindows(earliest: Date, latest: Date): Record<"day" | "week" | "month", Window> {
  const dayEnd = Date.parse(periodStart("day", latest)) + DAY_MS;
  const weekEnd = Date.parse(periodStart("week", latest)) + 7 * DAY_MS;
  const monthStart = new Date(periodStart("month", latest));
  const monthEnd = Date.UTC(monthStart.getUTCFullYear(), monthStart.getUTCMonth() + 1, 1);
  const from = (period: "day" | "week" | "month") => new Date(periodStart(period, earliest));
  return {
    day: { from: from("day"), to: new Date(dayEnd) },
    week: { from: from("week"), to: new Date(weekEnd) },
    month: { from: from("month"), to: new Date(monthEnd) },
  };
}

/** The grouped rows as the planner looks them up (rules/earning.ts, usageKey). */
export function usageMap(rows: readonly CapUsageRow[]): Map<string, CapUsage> {
  return new Map(rows.map((r) => [usageKey(r.memberId, r.eventType, r.period, r.start), { awards: r.awards, points: r.points }]));
}
