import { asc, eq } from "drizzle-orm";
import { z } from "zod";
import type { Db, Executor } from "@/db/client";
import { tiers, type Tier, type TierCode } from "@/db/schema";
import { writeAudit } from "../audit/audit-log";
import { LoyaltyError } from "../errors";
import {
  previewTierChange,
  recalculateTiers,
  type TierChangePreview,
  type TierRecalculationProgress,
  type TierRecalculationResult,
} from "../jobs/recalculate-tiers";
import { authorize, type Actor } from "../access/staff-permissions";
import { parseInput } from "../input/parse-input";

/** "500", "500.5", "2,000.00" (currency units) → minor units, without floating point. */
export function parseMoneyToMinor(text: string): number | null {
  const match = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(text.trim().replace(/,/g, ""));
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0"));
}

const minorUnits = z.union([z.number().int().min(0).max(1e14), z.string()]).transform((value, ctx) => {
  if (typeof value === "number") return value;
  const minor = parseMoneyToMinor(value);
  if (minor === null) {
    ctx.addIssue({ code: "custom", message: "must be an amount like 500 or 500.00" });
    return z.NEVER;
  }
  return minor;
});

/** Earn bonus as a multiplier, 1 (none) to 10, two decimals, read as integer hundredths. */
const earnMultiplier = z.union([z.number(), z.string().trim()]).transform((value, ctx) => {
  const match = /^(\d{1,2})(?:\.(\d{1,2}))?$/.exec(String(value));
  const hundredths = match ? Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0")) : NaN;
  if (!(hundredths >= 100 && hundredths <= 1000)) {
    ctx.addIssue({ code: "custom", message: "must be between 1 and 10 with at most 2 decimals" });
    return z.NEVER;
  }
  return hundredths / 100;
});

export const tierSettingsSchema = z
  .object({
    tiers: z
      .array(z.object({ code: z.enum(["bronze", "silver", "gold"]), minSpend12m: minorUnits, earnMultiplier }).strict())
      .min(1)
      .max(3),
  })
  .strict();

export type TierSettingsInput = z.input<typeof tierSettingsSchema>;

export async function listTierSettings(ex: Executor, actor: Actor): Promise<Tier[]> {
  authorize(actor, "tiers:write");
  return ex.select().from(tiers).orderBy(asc(tiers.rank));
}

/** The thresholds after applying `changes` to `current`, checked: lowest tier at 0, strictly rising. */
function mergeThresholds(current: Tier[], changes: z.output<typeof tierSettingsSchema>["tiers"]): Tier[] {
  const byCode = new Map(changes.map((c) => [c.code, c]));
  const merged = current.map((t) => ({ ...t, ...(byCode.get(t.code) ?? {}) }));
  const fail = (code: TierCode, message: string) =>
    new LoyaltyError("unprocessable", `${code}: ${message}`, { field: `${code}.minSpend12m`, details: { fieldErrors: { [code]: [message] } } });
  if (merged[0]!.minSpend12m !== 0) throw fail(merged[0]!.code, "the lowest tier starts at 0");
  for (let i = 1; i < merged.length; i++) {
    if (merged[i]!.minSpend12m <= merged[i - 1]!.minSpend12m) {
      throw fail(merged[i]!.code, `must be above ${merged[i - 1]!.name}'s threshold`);
    }
  }
  return merged;
}

/** How many members the proposed thresholds would move, before anything is saved. */
export async function previewTierSettings(ex: Executor, actor: Actor, input: unknown): Promise<TierChangePreview> {
  authorize(actor, "tiers:write");
  const { tiers: changes } = parseInput(tierSettingsSchema, input);
  const current = await ex.select().from(tiers).orderBy(asc(tiers.rank));
  const merged = mergeThresholds(current, changes);
  return previewTierChange(ex, Object.fromEntries(merged.map((t) => [t.code, t.minSpend12m])) as Record<TierCode, number>);
}

/**
 * Saves thresholds and earn bonuses. Members move at the next recalculation (nightly, or "run now"),
 * so the tiers they hold stay consistent with the history written by that job.
 */
export async function updateTierSettings(db: Db, actor: Actor, input: unknown, options: { now?: Date } = {}): Promise<Tier[]> {
  authorize(actor, "tiers:write");
  const now = options.now ?? new Date();
  const { tiers: changes } = parseInput(tierSettingsSchema, input);
  return db.transaction(async (tx) => {
    const before = await tx.select().from(tiers).orderBy(asc(tiers.rank)).for("update");
    const merged = mergeThresholds(before, changes);
    for (const tier of merged) {
      await tx.update(tiers).set({ minSpend12m: tier.minSpend12m, earnMultiplier: tier.earnMultiplier, updatedAt: now }).where(eq(tiers.code, tier.code));
    }
    const view = (list: Tier[]) => list.map((t) => ({ code: t.code, minSpend12m: t.minSpend12m, earnMultiplier: t.earnMultiplier }));
    await writeAudit(tx, {
      actor,
      action: "tiers.update",
      targetType: "tiers",
      targetId: "all",
      before: view(before),
      after: view(merged),
    });
    return tx.select().from(tiers).orderBy(asc(tiers.rank));
  });
}

/** The nightly recalculation, run now by staff; audited with its outcome. */
export async function runTierRecalculation(
  db: Db,
  actor: Actor,
  options: { now?: Date; onProgress?: (p: TierRecalculationProgress) => void } = {},
): Promise<TierRecalculationResult> {
  authorize(actor, "tiers:write");
  const now = options.now ?? new Date();
  const result = await recalculateTiers(db, { now, onProgress: options.onProgress });
  await writeAudit(db, { actor, action: "tiers.recalculate", targetType: "tiers", targetId: "all", after: result });
  return result;
}
