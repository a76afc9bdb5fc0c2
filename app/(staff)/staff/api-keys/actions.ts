"use server";

import { revalidatePath } from "next/cache";
import { getDb } from "@/db/client";
import { apiKeyFormValues, createApiKeyForUser, revokeApiKeyForUser, rotateApiKeyForUser } from "@/lib/staff/api-key-actions";
import type { ApiKeyFormState } from "@/lib/staff/api-key-form-state";
import { actionUser } from "../staff-session";

// Each action re-reads the session; the service checks the admin role itself (api-keys:manage).

export async function createApiKeyAction(_: ApiKeyFormState, form: FormData): Promise<ApiKeyFormState> {
  const state = await createApiKeyForUser(getDb(), await actionUser(), apiKeyFormValues(form), new Date());
  if (state.status === "created") revalidatePath("/staff/api-keys");
  return state;
}

export async function rotateApiKeyAction(_: ApiKeyFormState, form: FormData): Promise<ApiKeyFormState> {
  const state = await rotateApiKeyForUser(getDb(), await actionUser(), apiKeyFormValues(form), new Date());
  if (state.status === "created") revalidatePath("/staff/api-keys");
  return state;
}

export async function revokeApiKeyAction(_: ApiKeyFormState, form: FormData): Promise<ApiKeyFormState> {
  const state = await revokeApiKeyForUser(getDb(), await actionUser(), apiKeyFormValues(form), new Date());
  if (state.status === "success") revalidatePath("/staff/api-keys");
  return state;
}
