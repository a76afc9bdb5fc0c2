/** The programme's currency for spend amounts (minor units). */
export const PROGRAM_CURRENCY = "USD";

export const DEFAULT_LOCALE = "en-US";

/** The first locale of an Accept-Language header that Intl supports, else en-US. */
export function pickLocale(acceptLanguage: string | null | undefined): string {
  for (const part of (acceptLanguage ?? "").split(",")) {
    const tag = part.split(";")[0]?.trim();
    if (!tag || tag === "*") continue;
    try {
      if (Intl.NumberFormat.supportedLocalesOf([tag]).length > 0) return tag;
    } catch {
      // malformed tag: try the next one
    }
  }
  return DEFAULT_LOCALE;
}

export function formatPoints(points: number, locale: string): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(points);
}

/** Signed, for ledger rows: +120 / −50. */
export function formatSignedPoints(points: number, locale: string): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 0, signDisplay: "exceptZero" }).format(points);
}

export function formatMoney(minorUnits: number, locale: string, currency = PROGRAM_CURRENCY): string {
  // Division only for display; amounts are integers of minor units everywhere else.
  return new Intl.NumberFormat(locale, { style: "currency", currency }).format(minorUnits / 100);
}

export function formatMultiplier(multiplier: number, locale: string): string {
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(multiplier)}×`;
}

/** Dates are shown in UTC, the zone the ledger's days (expiry, check-ins) are counted in. */
export function formatDate(date: Date, locale: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" }).format(date);
}

export function formatDateTime(date: Date, locale: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }).format(date);
}
