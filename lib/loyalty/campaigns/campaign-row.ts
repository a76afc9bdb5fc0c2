import type { Campaign } from "@/db/schema";

/** postgres.js returns arrays of enum values as their text form "{a,b}"; PGlite returns arrays. */
export function parsePgArray<T extends string>(value: readonly T[] | string | null | undefined): T[] {
  if (!value) return [];
  if (Array.isArray(value)) return [...value] as T[];
  const inner = (value as string).replace(/^\{|\}$/g, "");
  return inner ? (inner.split(",") as T[]) : [];
}

export function normalizeCampaign(row: Campaign): Campaign {
  return {
    ...row,
    eventTypes: parsePgArray(row.eventTypes as Campaign["eventTypes"] | string),
    tiers: parsePgArray(row.tiers as Campaign["tiers"] | string),
  };
}
