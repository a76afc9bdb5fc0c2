"use server";

import { revalidatePath } from "next/cache";
import { getDb } from "@/db/client";
import { getCurrentUser } from "@/lib/auth/session";
import { redeemForUser } from "@/lib/portal/actions/redeem";
import type { RedeemState } from "@/lib/portal/redeem-state";

export async function redeemAction(_prev: RedeemState, form: FormData): Promise<RedeemState> {
  const result = await redeemForUser(getDb(), await getCurrentUser(), Object.fromEntries(form), new Date());
  if (result.status === "success") revalidatePath("/", "layout");
  return result;
}
