/**
 * `date` plus whole calendar months in UTC, keeping the time of day. When the target month is
 * shorter, the day is clamped to its last day (31 Jan + 1 month = 28/29 Feb; 29 Feb 2024 + 12
 * months = 28 Feb 2025) rather than overflowing into the next month as Date#setUTCMonth does: points
 * never live longer than the promised number of months.
 */
export function addUtcMonths(date: Date, months: number): Date {
  if (!Number.isInteger(months)) throw new RangeError(`months must be an integer, got ${months}`);
  const year = date.getUTCFullYear();
  const monthIndex = date.getUTCMonth() + months;
  const targetYear = year + Math.floor(monthIndex / 12);
  const targetMonth = ((monthIndex % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(targetYear, targetMonth + 1, 0)).getUTCDate();
  const result = new Date(date.getTime());
  result.setUTCFullYear(targetYear, targetMonth, Math.min(date.getUTCDate(), lastDay));
  return result;
}

/** When points earned at `occurredAt` expire. */
export function expiresAtFor(occurredAt: Date, expiryMonths: number): Date {
  return addUtcMonths(occurredAt, expiryMonths);
}
