"use server";

import { revalidatePath } from "next/cache";
import { getDb } from "@/db/client";
import { LoyaltyError } from "@/lib/loyalty/errors";
import { formValues, runStaffForm, type StaffFormState } from "@/lib/forms/staff-form";
import { parseMoneyToMinor, previewTierSettings, updateTierSettings } from "@/lib/loyalty/program/tier-settings";
import { money } from "@/components/staff/format";
import { actionUser } from "../staff-session";

const CODES = ["bronze", "silver", "gold"] as const;

/** The form's per-tier fields, checked here so that each error lands on its own input. */
function tiersFrom(values: Record<string, string>) {
  const fieldErrors: Record<string, string[]> = {};
  const tiers = CODES.map((code) => {
    const spend = parseMoneyToMinor(values[`${code}.minSpend`] ?? "");
    if (spend === null) fieldErrors[`${code}.minSpend`] = ["must be an amount like 500.00"];
    const bonus = values[`${code}.earnMultiplier`] ?? "1";
    if (!/^\d{1,2}(\.\d{1,2})?$/.test(bonus.trim()) || Number(bonus) < 1 || Number(bonus) > 10) {
      fieldErrors[`${code}.earnMultiplier`] = ["must be between 1 and 10, e.g. 1.25"];
    }
    return { code, minSpend12m: spend ?? 0, earnMultiplier: bonus.trim() };
  });
  const first = Object.keys(fieldErrors)[0];
  if (first) throw new LoyaltyError("validation_failed", `${first}: ${fieldErrors[first]![0]}`, { field: first, details: { fieldErrors } });
  return { tiers };
}

/** The unprocessable errors of the service name the tier ("silver.minSpend12m"); point them at our inputs. */
function retarget(error: unknown): never {
  if (error instanceof LoyaltyError && error.field?.endsWith(".minSpend12m")) {
    const field = error.field.replace(".minSpend12m", ".minSpend");
    throw new LoyaltyError(error.code, error.message, { field, details: { fieldErrors: { [field]: [error.message.replace(/^\w+: /, "")] } } });
  }
  throw error;
}

export async function tiersAction(_: StaffFormState, form: FormData): Promise<StaffFormState> {
  const values = formValues(form);
  return runStaffForm(
    await actionUser(),
    values,
    async (actor) => {
      const input = tiersFrom(values);
      if (values.intent === "preview") {
        const preview = await previewTierSettings(getDb(), actor, input).catch(retarget);
        if (preview.moves.length === 0) return "Preview: no member would change tier. Nothing was saved.";
        const moves = preview.moves.map((m) => `${m.members} ${m.from} → ${m.to}`).join(", ");
        // Up is at the next recalculation; down follows the retention rule (grace, then one tier per review).
        const down = preview.downgraded > 0 ? ` Members below their tier keep it through the tier grace, then drop one tier per recalculation.` : "";
        return `Preview: ${moves} (${preview.upgraded} up, ${preview.downgraded} down) by the spend at the next recalculation.${down} Nothing was saved.`;
      }
      const saved = await updateTierSettings(getDb(), actor, input).catch(retarget);
      revalidatePath("/staff/tiers");
      return `Saved: ${saved.map((t) => `${t.name} from ${money(t.minSpend12m)}`).join(", ")}. Run the recalculation to move members now.`;
    },
    { keepValues: true },
  );
}
