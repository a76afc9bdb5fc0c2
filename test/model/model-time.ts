/**
 * The model's calendar, written from docs/ledger.md rather than imported from lib/loyalty/rules:
 * instants are epoch milliseconds, months are UTC calendar months clamped to the end of a shorter
 * month (31 Jan + 1 month = 28/29 Feb), days are UTC days.
 */
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export function addMonths(at: number, months: number): number {
  const d = new Date(at);
  const monthIndex = d.getUTCMonth() + months;
  const year = d.getUTCFullYear() + Math.floor(monthIndex / 12);
  const month = ((monthIndex % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return Date.UTC(year, month, Math.min(d.getUTCDate(), lastDay), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
}

/** YYYY-MM-DD of the UTC day of an instant. */
export function utcDay(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

export function dayBefore(day: string): string {
  return utcDay(Date.parse(`${day}T00:00:00.000Z`) - DAY);
}

export const iso = (at: number) => new Date(at).toISOString();
