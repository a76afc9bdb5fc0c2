"use server";

import { revalidatePath } from "next/cache";
import { getDb } from "@/db/client";
import { changeProgramSettings } from "@/lib/loyalty/program-settings";
import { formValues, runStaffForm, type StaffFormState } from "@/lib/loyalty/staff-form";
import { actionUser } from "../staff-session";

/** A whole number typed in the form, or the text itself so the schema names the field. */
const wholeNumber = (value: string | undefined) => (value === undefined || value.trim() === "" ? undefined : /^\d{1,9}$/.test(value.trim()) ? Number(value) : value);

export async function programAction(_: StaffFormState, form: FormData): Promise<StaffFormState> {
  const values = formValues(form);
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
        },
        values.reason?.trim() || undefined,
      );
      revalidatePath("/staff/program");
      return `Saved: return window ${saved.pendingDays === 0 ? "off" : `${saved.pendingDays} days`}, checkout holds last ${saved.holdTtlSeconds} seconds.`;
    },
    { keepValues: true },
  );
}
