"use server";

import { revalidatePath } from "next/cache";
import { getDb } from "@/db/client";
import { previewEarn } from "@/lib/loyalty/campaigns/preview-earn";
import { createEarningCap, createEarningRule, retireEarningCap, retireEarningRule } from "@/lib/loyalty/program/earning-rules";
import { LoyaltyError } from "@/lib/loyalty/errors";
import { positiveId } from "@/lib/loyalty/input/input-bounds";
import { formValues, runStaffForm, type StaffFormState } from "@/lib/forms/staff-form";
import { actionUser } from "../staff-session";

/**
 * The console's earning rules page: each action is the service the REST API calls, with the form's
 * text turned into the service's input (the service validates and checks the role).
 */

const text = (v: string | undefined) => (v === undefined || v.trim() === "" ? undefined : v.trim());
/** "a, b c" → ["a", "b", "c"]. */
const list = (v: string | undefined) => (v === undefined ? [] : v.split(/[\s,]+/).filter((s) => s !== ""));
/** A whole number, or the text itself so the schema names the field. */
const whole = (v: string | undefined) => (text(v) === undefined ? undefined : /^\d{1,12}$/.test(v!.trim()) ? Number(v) : v);
/** "50.00" currency units → 5000 minor units; anything else passed on for the schema to refuse. */
const money = (v: string | undefined) => (text(v) === undefined ? undefined : /^\d{1,10}(\.\d{1,2})?$/.test(v!.trim()) ? Math.round(Number(v) * 100) : v);
/** A `datetime-local` value read as UTC, or an ISO instant as is. */
const instant = (v: string | undefined) => {
  const t = text(v);
  if (t === undefined) return undefined;
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(t) ? `${t.length === 16 ? `${t}:00` : t}Z` : t;
};

export async function createRuleAction(_: StaffFormState, form: FormData): Promise<StaffFormState> {
  const values = formValues(form);
  return runStaffForm(
    await actionUser(),
    values,
    async (actor) => {
      const rule = await createEarningRule(
        getDb(),
        {
          name: values.name ?? "",
          skus: list(values.skus),
          categories: list(values.categories),
          channels: list(values.channels),
          ...(money(values.minSpend) !== undefined ? { minSpendCents: money(values.minSpend) } : {}),
          ...(whole(values.pointsPerCurrencyUnit) !== undefined ? { pointsPerCurrencyUnit: whole(values.pointsPerCurrencyUnit) } : {}),
          ...(whole(values.bonusPoints) !== undefined ? { bonusPoints: whole(values.bonusPoints) } : {}),
          ...(instant(values.startsAt) ? { startsAt: instant(values.startsAt) } : {}),
          ...(instant(values.endsAt) ? { endsAt: instant(values.endsAt) } : {}),
          ...(text(values.reason) ? { reason: text(values.reason) } : {}),
        },
        { actor },
      );
      revalidatePath("/staff/earning-rules");
      return `Created rule #${rule.id} “${rule.name}” (${rule.status}).`;
    },
    { keepValues: false },
  );
}

export async function createCapAction(_: StaffFormState, form: FormData): Promise<StaffFormState> {
  const values = formValues(form);
  return runStaffForm(await actionUser(), values, async (actor) => {
    const byPoints = values.limit === "points";
    const cap = await createEarningCap(
      getDb(),
      {
        name: values.name ?? "",
        ...(text(values.eventType) ? { eventType: text(values.eventType) } : {}),
        ...(byPoints ? { maxPoints: whole(values.max) } : { maxAwardsPerMember: whole(values.max) }),
        period: values.period,
        ...(text(values.reason) ? { reason: text(values.reason) } : {}),
      },
      { actor },
    );
    revalidatePath("/staff/earning-rules");
    return `Created cap #${cap.id} “${cap.name}”.`;
  });
}

/** Order lines typed one per line as `SKU, category, quantity, amount` (category may be empty). */
function orderLines(v: string | undefined): { sku: string; category?: string; quantity: number; amountCents: number }[] | undefined {
  const rows = (v ?? "")
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "");
  if (rows.length === 0) return undefined;
  return rows.map((row, i) => {
    const [sku, category, quantity, amount] = row.split(",").map((s) => s.trim());
    const cents = money(amount);
    if (!sku || typeof cents !== "number" || !/^\d+$/.test(quantity ?? "")) {
      throw new LoyaltyError("validation_failed", `Line ${i + 1}: write SKU, category, quantity, amount (e.g. BOOT-1, shoes, 1, 80.00).`, { field: "items" });
    }
    return { sku, ...(category ? { category } : {}), quantity: Number(quantity), amountCents: cents };
  });
}

/** The preview: what a purchase would earn now, through the accrual's own planner (nothing written). */
export async function previewRuleAction(_: StaffFormState, form: FormData): Promise<StaffFormState> {
  const values = formValues(form);
  return runStaffForm(
    await actionUser(),
    values,
    async (actor) => {
      const items = orderLines(values.items);
      const amountCents = items ? items.reduce((s, l) => s + l.amountCents, 0) : money(values.amount);
      const result = await previewEarn(getDb(), actor, {
        eventType: "purchase",
        amountCents,
        tier: values.tier || "bronze",
        at: instant(values.at) ?? new Date().toISOString(),
        ...(items ? { items } : {}),
        ...(text(values.channel) ? { channel: text(values.channel) } : {}),
      });
      const rules = result.appliedRules?.length ? `rules ${result.appliedRules.map((id) => `#${id}`).join(", ")}` : "no rule";
      const capped = result.cappedBy?.length ? `, capped by ${result.cappedBy.map((id) => `#${id}`).join(", ")}` : "";
      const campaign = result.campaignId === null ? "no campaign" : `campaign #${result.campaignId}`;
      return `Earns ${result.points} points (multiplier ${result.multiplier}, ${campaign}, ${rules}${capped}).`;
    },
    { keepValues: true },
  );
}

export async function retireRuleAction(_: StaffFormState, form: FormData): Promise<StaffFormState> {
  const values = formValues(form);
  return runStaffForm(await actionUser(), values, async (actor) => {
    const id = positiveId(values.id) ?? 0;
    const reason = text(values.reason);
    const rule =
      values.kind === "cap" ? await retireEarningCap(getDb(), id, { reason }, { actor }) : await retireEarningRule(getDb(), id, { reason }, { actor });
    revalidatePath("/staff/earning-rules");
    return `Retired #${rule.id}.`;
  });
}
