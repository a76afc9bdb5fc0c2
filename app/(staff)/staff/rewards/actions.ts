"use server";

import { revalidatePath } from "next/cache";
import { getDb } from "@/db/client";
import { createReward, setRewardActive, updateReward } from "@/lib/loyalty/program/rewards";
import { formValues, runStaffForm, type StaffFormState } from "@/lib/forms/staff-form";
import { actionUser } from "../staff-session";
import { requireId } from "@/lib/loyalty/input/input-bounds";
import { addCouponCodes, parseCodeList } from "@/lib/loyalty/program/coupon-rewards";

function rewardFields(values: Record<string, string>) {
  const { id: _id, codes: _codes, ...rest } = values;
  void _id;
  void _codes;
  return { ...rest, active: values.active === "on" };
}

export async function createRewardAction(_: StaffFormState, form: FormData): Promise<StaffFormState> {
  const values = formValues(form);
  return runStaffForm(await actionUser(), values, async (actor) => {
    const reward = await createReward(getDb(), rewardFields(values), { actor, codes: parseCodeList(values.codes ?? "") });
    revalidatePath("/staff/rewards");
    return `Reward “${reward.name}” created.`;
  });
}

export async function updateRewardAction(_: StaffFormState, form: FormData): Promise<StaffFormState> {
  const values = formValues(form);
  return runStaffForm(
    await actionUser(),
    values,
    async (actor) => {
      const reward = await updateReward(getDb(), requireId(values.id, "id"), rewardFields(values), { actor });
      revalidatePath("/staff/rewards");
      return `Reward “${reward.name}” saved.`;
    },
    { keepValues: true },
  );
}

export async function toggleRewardAction(_: StaffFormState, form: FormData): Promise<StaffFormState> {
  return runStaffForm(await actionUser(), formValues(form), async (actor) => {
    const reward = await setRewardActive(getDb(), requireId(form.get("id"), "id"), form.get("active") === "true", { actor });
    revalidatePath("/staff/rewards");
    return reward.active ? "Activated." : "Deactivated.";
  });
}

/** Uploads coupon codes (a CSV's first column or one per line) into a coupon reward's pool. */
export async function addCouponCodesAction(_: StaffFormState, form: FormData): Promise<StaffFormState> {
  const values = formValues(form);
  return runStaffForm(await actionUser(), values, async (actor) => {
    const file = form.get("file");
    const text = file instanceof File && file.size > 0 ? await file.slice(0, 2_000_000).text() : (values.codes ?? "");
    const result = await addCouponCodes(getDb(), actor, requireId(values.id, "id"), parseCodeList(text));
    revalidatePath("/staff/rewards");
    return `Added ${result.added} codes (${result.skipped} already in the pool); ${result.poolSize} left to give.`;
  });
}
