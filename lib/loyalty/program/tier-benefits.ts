import { asc, eq } from "drizzle-orm";
import { z } from "zod";
import type { Executor, Tx } from "@/db/client";
import { TIER_CODES, tiers, type Tier, type TierCode } from "@/db/schema";
import { singleLineText } from "../input/input-bounds";

/** Text benefits per tier: lines shown to members (docs/ledger.md, Tier retention and benefits). */
export const MAX_TIER_BENEFITS = 10;
export const MAX_TIER_BENEFIT_LENGTH = 200;

/** A tier as the programme settings show it: threshold (read-only here), earn multiplier, benefits. */
export interface TierBenefitsView {
  code: TierCode;
  name: string;
  minSpend12m: number;
  /** The tier bonus on purchase points (1 = none), combined with the best campaign by multiplication. */
  earnMultiplier: number;
  benefits: string[];
}

/** 1 to 10 with at most two decimals (the column is numeric(4,2)). */
const earnMultiplier = z
  .number("must be a number between 1 and 10")
  .min(1, "must be between 1 and 10")
  .max(10, "must be between 1 and 10")
  .refine((v) => Math.abs(v * 100 - Math.round(v * 100)) < 1e-9, "must have at most 2 decimals");

export const tierBenefitsChangeSchema = z
  .array(
    z
      .object({
        code: z.enum(TIER_CODES),
        earnMultiplier: earnMultiplier.optional(),
        benefits: z.array(singleLineText(MAX_TIER_BENEFIT_LENGTH)).max(MAX_TIER_BENEFITS, `at most ${MAX_TIER_BENEFITS} benefits`).optional(),
      })
      .strict(),
  )
  .max(TIER_CODES.length)
  .refine((list) => new Set(list.map((t) => t.code)).size === list.length, "each tier at most once");
export type TierBenefitsChange = z.output<typeof tierBenefitsChangeSchema>;

export function tierBenefitsView(rows: readonly Tier[]): TierBenefitsView[] {
  return rows.map((t) => ({
    code: t.code,
    name: t.name,
    minSpend12m: t.minSpend12m,
    earnMultiplier: Number(t.earnMultiplier),
    benefits: [...(t.benefits ?? [])],
  }));
}

/** Tiers, lowest rank first; `lock` for a change (FOR UPDATE, the order tier settings lock them in too). */
export function readTierRows(ex: Executor, options: { lock?: boolean } = {}): Promise<Tier[]> {
  const query = ex.select().from(tiers).orderBy(asc(tiers.rank));
  return options.lock ? query.for("update") : query;
}

/** Writes the earn multipliers and benefits named in `changes`; other tiers and fields stay. */
export async function applyTierBenefits(tx: Tx, changes: TierBenefitsChange, now: Date): Promise<void> {
  for (const change of changes) {
    const set: Partial<Pick<Tier, "earnMultiplier" | "benefits" | "updatedAt">> = { updatedAt: now };
    if (change.earnMultiplier !== undefined) set.earnMultiplier = change.earnMultiplier;
    if (change.benefits !== undefined) set.benefits = change.benefits;
    if (Object.keys(set).length === 1) continue;
    await tx.update(tiers).set(set).where(eq(tiers.code, change.code));
  }
}
