const DAY = /^\d{4}-\d{2}-\d{2}$/;
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
  const from = params.from && DAY.test(params.from) ? new Date(`${params.from}T00:00:00Z`) : defaultFrom;
  const toDay = params.to && DAY.test(params.to) ? new Date(`${params.to}T00:00:00Z`) : today;
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
  if (at && DAY.test(at)) {
    const end = new Date(new Date(`${at}T00:00:00Z`).getTime() + DAY_MS - 1);
    return end.getTime() < now.getTime() ? end : now;
  }
  return now;
}
