"use server";

import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { getDb } from "@/db/client";
import { memberLinkOrigin } from "@/lib/auth/link-origin";
import { addStaffForm, newPasswordLinkForm, saveStaffRolesForm, type StaffFormInput } from "@/lib/auth/staff-account-forms";
import { env } from "@/lib/env";
import { formValues, type StaffFormState } from "@/lib/forms/staff-form";
import { actionUser } from "../staff-session";

function input(form: FormData): StaffFormInput {
  const roles = form.getAll("roles").filter((r): r is string => typeof r === "string");
  return { values: formValues(form), roles };
}

/** The link is shown to the admin, not emailed: AUTH_URL when set, else the origin the admin is using. */
async function linkOrigin(): Promise<string> {
  const e = env();
  const requestOrigin = (await headers()).get("origin") ?? "http://localhost:3000";
  return memberLinkOrigin({ authUrl: e.AUTH_URL, nodeEnv: e.NODE_ENV, emailing: false, requestOrigin });
}

export async function addStaffAction(_: StaffFormState, form: FormData): Promise<StaffFormState> {
  const result = await addStaffForm(getDb(), await actionUser(), input(form), await linkOrigin());
  if (result.status === "success") revalidatePath("/staff/accounts");
  return result;
}

export async function saveStaffRolesAction(_: StaffFormState, form: FormData): Promise<StaffFormState> {
  const result = await saveStaffRolesForm(getDb(), await actionUser(), input(form));
  if (result.status === "success") revalidatePath("/staff/accounts");
  return result;
}

export async function newPasswordLinkAction(_: StaffFormState, form: FormData): Promise<StaffFormState> {
  const result = await newPasswordLinkForm(getDb(), await actionUser(), input(form), await linkOrigin());
  if (result.status === "success") revalidatePath("/staff/accounts");
  return result;
}
