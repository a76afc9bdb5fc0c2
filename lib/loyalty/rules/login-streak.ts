/** UTC calendar day of an instant, as YYYY-MM-DD (the login_check_ins.day key). */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

export function previousUtcDay(day: string): string {
  const date = new Date(`${day}T00:00:00.000Z`);
  date.setUTCDate(date.getUTCDate() - 1);
  return utcDay(date);
}

/** The streak of a check-in: one more than yesterday's check-in, or a fresh start at 1. */
export function nextStreak(previous: { day: string; streak: number } | null, day: string): number {
  return previous !== null && previous.day === previousUtcDay(day) ? previous.streak + 1 : 1;
}

/** Daily login points: the base award plus the bonus on every `streakLength`-th consecutive day. */
export function loginPoints(streak: number, rules: { loginPoints: number; bonusPoints: number; streakLength: number }): number {
  const bonus = rules.streakLength > 0 && streak % rules.streakLength === 0 ? rules.bonusPoints : 0;
  return rules.loginPoints + bonus;
}
