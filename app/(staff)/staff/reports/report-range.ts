import { boundedDay } from "@/lib/loyalty/input/input-bounds";

const DAY_MS = 86_400_000;

export interface RangeParams {
  granularity?: string;
  from?: string;
  to?: string;
  at?: string;
}

/** The report's range from the query string: UTC days, `to` inclusive; defaults to the last 30 days (or 12 months). */
export function reportRange(params: RangeParams, now = new Date()) {
  const granularity = params.granularity === "month" ? "month" : "day";
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const defaultFrom =
    granularity === "month" ? new Date(Date.UTC(now.getUTCFullYear() - 1, now.getUTCMonth() + 1, 1)) : new Date(today.getTime() - 29 * DAY_MS);
  // Real days from 1970 on only: "0000-01-01" passed the old pattern and PostgreSQL refused it (500).
  const fromDay = boundedDay(params.from);
  const lastDay = boundedDay(params.to);
  const from = fromDay ? new Date(`${fromDay}T00:00:00Z`) : defaultFrom;
  const toDay = lastDay ? new Date(`${lastDay}T00:00:00Z`) : today;
  return {
    granularity,
    from,
    to: new Date(toDay.getTime() + DAY_MS),
    fromText: from.toISOString().slice(0, 10),
    toText: toDay.toISOString().slice(0, 10),
  } as const;
}

/** Liability date: the end of that UTC day, or now. */
export function liabilityInstant(at: string | undefined, now = new Date()): Date {
  const day = boundedDay(at);
  if (day) {
    const end = new Date(new Date(`${day}T00:00:00Z`).getTime() + DAY_MS - 1);
    return end.getTime() < now.getTime() ? end : now;
  }
  return now;
}

/** The range parameters given but not usable (not a real day from 1970 on), for the page to say so. */
export function unusableRangeParams(params: RangeParams): ("from" | "to" | "at")[] {
  return (["from", "to", "at"] as const).filter((key) => {
    const value = params[key];
    return value !== undefined && value !== "" && !boundedDay(value);
  });
}
