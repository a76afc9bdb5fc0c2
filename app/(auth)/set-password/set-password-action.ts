"use server";

import { getDb } from "@/db/client";
import { setPasswordWithForm, type SetPasswordState } from "@/lib/auth/set-password-form";

export async function setPasswordAction(_prev: SetPasswordState, form: FormData): Promise<SetPasswordState> {
  return setPasswordWithForm(getDb(), Object.fromEntries(form));
}
