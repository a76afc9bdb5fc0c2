"use server";

import { revalidatePath } from "next/cache";
import { getDb } from "@/db/client";
import { previewEarn } from "@/lib/loyalty/campaigns/preview-earn";
import { instantIn } from "@/lib/loyalty/campaigns/campaign-input";
import { isInstantInRange } from "@/lib/loyalty/input/input-bounds";
import { changeCampaign, createCampaign } from "@/lib/loyalty/campaigns/change-campaigns";
import { LoyaltyError } from "@/lib/loyalty/errors";
import { formValues, runStaffForm, type StaffFormState } from "@/lib/forms/staff-form";
import { parseMoneyToMinor } from "@/lib/loyalty/program/tier-settings";
import { money, multiplier } from "@/components/staff/format";
import { actionUser } from "../staff-session";
import { requireId } from "@/lib/loyalty/input/input-bounds";

function campaignFields(form: FormData) {
  return {
    name: String(form.get("name") ?? ""),
    multiplier: String(form.get("multiplier") ?? ""),
    startsAt: String(form.get("startsAt") ?? ""),
    endsAt: String(form.get("endsAt") ?? ""),
    timeZone: String(form.get("timeZone") || "UTC"),
    eventTypes: form.getAll("eventTypes").map(String),
    tiers: form.getAll("tiers").map(String),
  };
}

export async function createCampaignAction(_: StaffFormState, form: FormData): Promise<StaffFormState> {
  return runStaffForm(await actionUser(), formValues(form), async (actor) => {
    const campaign = await createCampaign(getDb(), campaignFields(form), { actor });
    revalidatePath("/staff/campaigns");
    return `Campaign “${campaign.name}” scheduled (${multiplier(campaign.multiplier)}).`;
  });
}

export async function editCampaignAction(_: StaffFormState, form: FormData): Promise<StaffFormState> {
  return runStaffForm(
    await actionUser(),
    formValues(form),
    async (actor) => {
      const id = requireId(form.get("id"), "id");
      const campaign = await changeCampaign(getDb(), id, campaignFields(form), { actor });
      revalidatePath("/staff/campaigns");
      return `Campaign “${campaign.name}” saved.`;
    },
    { keepValues: true },
  );
}

const ACTION_DONE = { pause: "paused", resume: "resumed", end: "ended", archive: "archived" } as const;

export async function campaignStateAction(_: StaffFormState, form: FormData): Promise<StaffFormState> {
  return runStaffForm(await actionUser(), formValues(form), async (actor) => {
    const action = String(form.get("action")) as keyof typeof ACTION_DONE;
    const campaign = await changeCampaign(getDb(), requireId(form.get("id"), "id"), { action }, { actor });
    revalidatePath("/staff/campaigns");
    return `“${campaign.name}” ${ACTION_DONE[action] ?? "changed"}.`;
  });
}

const TIER_NAMES: Record<string, string> = { bronze: "Bronze", silver: "Silver", gold: "Gold" };

export async function previewCampaignAction(_: StaffFormState, form: FormData): Promise<StaffFormState> {
  return runStaffForm(
    await actionUser(),
    formValues(form),
    async (actor) => {
      const amountCents = parseMoneyToMinor(String(form.get("amount") ?? ""));
      if (amountCents === null) {
        throw new LoyaltyError("validation_failed", "amount: must be an amount like 80.00", {
          field: "amount",
          details: { fieldErrors: { amount: ["must be an amount like 80.00"] } },
        });
      }
      const timeZone = String(form.get("timeZone") || "UTC");
      const atText = String(form.get("at") ?? "");
      const instant = atText ? instantIn(atText, timeZone) : new Date();
      if (!(instant instanceof Date)) {
        throw new LoyaltyError("validation_failed", `at: ${instant.error}`, { field: "at", details: { fieldErrors: { at: [instant.error] } } });
      }
      if (!isInstantInRange(instant)) {
        const error = "must be between 1970-01-01 and 9999-12-31";
        throw new LoyaltyError("validation_failed", `at: ${error}`, { field: "at", details: { fieldErrors: { at: [error] } } });
      }
      const tier = String(form.get("tier") ?? "bronze");
      const result = await previewEarn(getDb(), actor, { eventType: "purchase", amountCents, tier, at: instant.toISOString() });
      const how = result.campaignId
        ? ` (${multiplier(result.multiplier)} with campaign #${result.campaignId})`
        : result.multiplier !== 1
          ? ` (${multiplier(result.multiplier)} tier bonus)`
          : "";
      return `An order of ${money(amountCents)} by a ${TIER_NAMES[tier] ?? tier} member at that time earns ${result.points} points${how}.`;
    },
    { keepValues: true },
  );
}
