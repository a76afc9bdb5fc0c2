import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { programSettings } from "@/db/schema";
import { writeAudit } from "../audit/audit-log";
import { LoyaltyError } from "../errors";
import { MAX_POINTS } from "../accrual/event-input";
import { MAX_HOLD_TTL_SECONDS, MIN_HOLD_TTL_SECONDS } from "../redemption/hold-points";
import { getProgramSettings } from "./get-program-settings";
import { authorize, type Actor } from "../access/staff-permissions";
import { parseInput } from "../input/parse-input";
import { applyTierBenefits, readTierRows, tierBenefitsChangeSchema, tierBenefitsView, type TierBenefitsView } from "./tier-benefits";

export const MAX_PENDING_DAYS = 365;
export const MAX_TIER_QUALIFICATION_MONTHS = 24;
export const MAX_TIER_GRACE_DAYS = 365;
export const MAX_REFERRAL_REWARD_POINTS = 1_000_000;
export const MAX_REFERRAL_WINDOW_DAYS = 365;
export const MAX_REFERRAL_MONTHLY_LIMIT = 10_000;

/** The settings of the checkout flow other systems and marketing may change (GET/PATCH /api/v1/program, the console's programme page). */
export interface ProgramView {
  /** Return window: a purchase's points are pending this many days (0 = off). */
  pendingDays: number;
  /** How long a checkout hold lasts when its caller names no ttlSeconds. */
  holdTtlSeconds: number;
  /** Most points one transfer between members may move (0 = transfers off). */
  transferMaxPoints: number;
  /** Most points one member may transfer away over a rolling 24 hours. */
  transferDailyMaxPoints: number;
  expiryMonths: number;
  pointsPerCurrencyUnit: number;
  /** Tier qualification period: the rolling spend window of the tiers, in UTC calendar months. */
  tierQualificationMonths: number;
  /** Tier grace: days a member below their tier's threshold keeps it before dropping one step (0 = none). */
  tierGraceDays: number;
  /** Referral codes (docs/ledger.md, Referrals): each side's points on the referee's first purchase. */
  referrerRewardPoints: number;
  refereeRewardPoints: number;
  /** A refund of that purchase at most this many days after it reverses both rewards (0 = never). */
  referralRefundWindowDays: number;
  /** Most referrals rewarded per referrer per UTC calendar month (0 = none). */
  referralMonthlyLimit: number;
  /** Per tier: threshold (edited on the tiers page), earn multiplier and text benefits. */
  tiers: TierBenefitsView[];
}

export const programChangeSchema = z
  .object({
    pendingDays: z.number("must be a whole number of days").int("must be a whole number of days").min(0).max(MAX_PENDING_DAYS).optional(),
    holdTtlSeconds: z
      .number("must be a whole number of seconds")
      .int("must be a whole number of seconds")
      .min(MIN_HOLD_TTL_SECONDS)
      .max(MAX_HOLD_TTL_SECONDS)
      .optional(),
    transferMaxPoints: z.number("must be a whole number of points").int("must be a whole number of points").min(0).max(MAX_POINTS).optional(),
    transferDailyMaxPoints: z.number("must be a whole number of points").int("must be a whole number of points").min(0).max(MAX_POINTS).optional(),
    tierQualificationMonths: z
      .number("must be a whole number of months")
      .int("must be a whole number of months")
      .min(1)
      .max(MAX_TIER_QUALIFICATION_MONTHS)
      .optional(),
    tierGraceDays: z.number("must be a whole number of days").int("must be a whole number of days").min(0).max(MAX_TIER_GRACE_DAYS).optional(),
    referrerRewardPoints: z
      .number("must be a whole number of points")
      .int("must be a whole number of points")
      .min(0)
      .max(MAX_REFERRAL_REWARD_POINTS)
      .optional(),
    refereeRewardPoints: z.number("must be a whole number of points").int("must be a whole number of points").min(0).max(MAX_REFERRAL_REWARD_POINTS).optional(),
    referralRefundWindowDays: z.number("must be a whole number of days").int("must be a whole number of days").min(0).max(MAX_REFERRAL_WINDOW_DAYS).optional(),
    referralMonthlyLimit: z.number("must be a whole number").int("must be a whole number").min(0).max(MAX_REFERRAL_MONTHLY_LIMIT).optional(),
    tiers: tierBenefitsChangeSchema.optional(),
  })
  .strict();
export type ProgramChange = z.output<typeof programChangeSchema>;

function viewOf(row: Awaited<ReturnType<typeof getProgramSettings>>, tierRows: Parameters<typeof tierBenefitsView>[0]): ProgramView {
  return {
    pendingDays: row.pendingDays,
    holdTtlSeconds: row.holdTtlSeconds,
    transferMaxPoints: row.transferMaxPoints,
    transferDailyMaxPoints: row.transferDailyMaxPoints,
    expiryMonths: row.expiryMonths,
    pointsPerCurrencyUnit: row.pointsPerCurrencyUnit,
    tierQualificationMonths: row.tierQualificationMonths,
    tierGraceDays: row.tierGraceDays,
    referrerRewardPoints: row.referrerRewardPoints,
    refereeRewardPoints: row.refereeRewardPoints,
    referralRefundWindowDays: row.referralRefundWindowDays,
    referralMonthlyLimit: row.referralMonthlyLimit,
    tiers: tierBenefitsView(tierRows),
  };
}

export async function getProgramView(db: Db, actor: Actor): Promise<ProgramView> {
  authorize(actor, "program:write");
  const [row, tierRows] = await Promise.all([getProgramSettings(db), readTierRows(db)]);
  return viewOf(row, tierRows);
}

/**
 * Changes the checkout settings, in one transaction with its audit entry (before/after). A new
 * return window applies to purchases recorded from then on: lots already pending keep their date.
 */
export async function changeProgramSettings(db: Db, actor: Actor, input: unknown, reason?: string): Promise<ProgramView> {
  authorize(actor, "program:write");
  const { tiers: tierChanges, ...change } = parseInput(programChangeSchema, input);
  if (Object.values(change).every((v) => v === undefined) && (tierChanges ?? []).length === 0) {
    throw new LoyaltyError("validation_failed", "Name at least one setting to change.", { field: "pendingDays" });
  }
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(programSettings).where(eq(programSettings.id, 1)).for("update");
    if (!before) throw new Error("program_settings row 1 is missing: run the migrations");
    const tiersBefore = await readTierRows(tx, { lock: true });
    await applyTierBenefits(tx, tierChanges ?? [], new Date());
    const tiersAfter = tierChanges ? await readTierRows(tx) : tiersBefore;
    const [after] = await tx
      .update(programSettings)
      .set({ ...change, updatedAt: new Date() })
      .where(eq(programSettings.id, 1))
      .returning();
    await writeAudit(tx, {
      actor,
      action: "program.update",
      targetType: "program_settings",
      targetId: 1,
      reason: reason ?? null,
      before: viewOf(before, tiersBefore),
      after: viewOf(after!, tiersAfter),
    });
    return viewOf(after!, tiersAfter);
  });
}
