"use server";

import { revalidatePath } from "next/cache";
import { getDb } from "@/db/client";
import { getCurrentUser } from "@/lib/auth/session";
import { checkInForUser } from "@/lib/portal/actions/check-in";
import type { CheckInState } from "@/lib/portal/check-in-state";

export async function checkInAction(): Promise<CheckInState> {
  const result = await checkInForUser(getDb(), await getCurrentUser(), new Date());
  if (result.status === "success") revalidatePath("/", "layout");
  return result;
}
