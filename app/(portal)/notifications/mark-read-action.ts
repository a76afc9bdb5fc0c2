"use server";

import { revalidatePath } from "next/cache";
import { getDb } from "@/db/client";
import { getCurrentUser } from "@/lib/auth/session";
import { markNotificationReadForUser } from "@/lib/portal/actions/mark-notification-read";

export async function markReadAction(form: FormData): Promise<void> {
  const result = await markNotificationReadForUser(getDb(), await getCurrentUser(), Object.fromEntries(form), new Date());
  if (result.status === "success") revalidatePath("/", "layout");
}
