"use server";

import { revalidatePath } from "next/cache";
import { getDb } from "@/db/client";
import { TIER_CODES } from "@/db/schema";
import { isLoyaltyError, LoyaltyError } from "@/lib/loyalty/errors";
import { changeProgramSettings } from "@/lib/loyalty/program/change-program-settings";
import { formValues, runStaffForm, type StaffFormState } from "@/lib/forms/staff-form";
import { actionUser } from "../staff-session";

/** A whole number typed in the form, or the text itself so the schema names the field. */
const wholeNumber = (value: string | undefined) =>
  value === undefined || value.trim() === "" ? undefined : /^\d{1,9}$/.test(value.trim()) ? Number(value) : value;

/** A multiplier like 1.25 typed in the form, or the text itself so the schema refuses it. */
const decimal = (value: string | undefined) =>
  value === undefined || value.trim() === "" ? undefined : /^\d{1,3}(\.\d{1,4})?$/.test(value.trim()) ? Number(value) : value;

/** One benefit per line; blank lines dropped. */
const lines = (value: string | undefined) =>
  value === undefined
    ? undefined
    : value
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l !== "");

/** The tiers the form shows, as the service's change list (a tier absent from the form is left alone). */
function tierChanges(values: Record<string, string>) {
  return TIER_CODES.filter((code) => `earnMultiplier_${code}` in values || `benefits_${code}` in values).map((code) => ({
    code,
    earnMultiplier: decimal(values[`earnMultiplier_${code}`]),
    benefits: lines(values[`benefits_${code}`]),
  }));
}

export async function programAction(_: StaffFormState, form: FormData): Promise<StaffFormState> {
  const values = formValues(form);
  const tiers = tierChanges(values);
  return runStaffForm(
    await actionUser(),
    values,
    async (actor) => {
      const saved = await changeProgramSettings(
        getDb(),
        actor,
        {
          pendingDays: wholeNumber(values.pendingDays),
          holdTtlSeconds: wholeNumber(values.holdTtlSeconds),
          transferMaxPoints: wholeNumber(values.transferMaxPoints),
          transferDailyMaxPoints: wholeNumber(values.transferDailyMaxPoints),
          tierQualificationMonths: wholeNumber(values.tierQualificationMonths),
          tierGraceDays: wholeNumber(values.tierGraceDays),
          referrerRewardPoints: wholeNumber(values.referrerRewardPoints),
          refereeRewardPoints: wholeNumber(values.refereeRewardPoints),
          referralRefundWindowDays: wholeNumber(values.referralRefundWindowDays),
          referralMonthlyLimit: wholeNumber(values.referralMonthlyLimit),
          ...(tiers.length > 0 ? { tiers } : {}),
        },
        values.reason?.trim() || undefined,
      ).catch((error: unknown) => {
        throw tierFieldError(error, tiers);
      });
      revalidatePath("/staff/program");
      return `Saved: return window ${saved.pendingDays === 0 ? "off" : `${saved.pendingDays} days`}, checkout holds last ${saved.holdTtlSeconds} seconds, tier grace ${saved.tierGraceDays === 0 ? "off" : `${saved.tierGraceDays} days`}.`;
    },
    { keepValues: true },
  );
}

/** A refusal of `tiers.<i>.<field>` names the form's field of that tier (earnMultiplier_gold, benefits_gold). */
function tierFieldError(error: unknown, tiers: readonly { code: string }[]): unknown {
  if (!isLoyaltyError(error) || error.code !== "validation_failed") return error;
  const match = /^tiers\.(\d+)\.(earnMultiplier|benefits)/.exec(error.field ?? "");
  const code = match ? tiers[Number(match[1])]?.code : undefined;
  if (!match || !code) return error;
  const field = `${match[2]}_${code}`;
  const message = error.message.replace(/^[^:]*: /, "");
  const others = { ...((error.details?.fieldErrors ?? {}) as Record<string, string[]>) };
  delete others.tiers;
  return new LoyaltyError("validation_failed", message, { field, details: { fieldErrors: { ...others, [field]: [message] } } });
}
