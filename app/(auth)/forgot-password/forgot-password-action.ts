"use server";

import { z } from "zod";
import { getDb } from "@/db/client";
import { requestPasswordReset } from "@/lib/auth/account-security";
import { sendPasswordReset } from "@/lib/auth/password-reset-email";
import { fieldErrorsOf, type FormState } from "@/lib/portal/form-state";

const schema = z.object({
  email: z.string().trim().toLowerCase().max(254, "That email is too long.").pipe(z.email({ message: "Enter a valid email address." })),
});

export async function forgotPasswordAction(_prev: FormState<"email">, form: FormData): Promise<FormState<"email">> {
  const parsed = schema.safeParse({ email: form.get("email") });
  if (!parsed.success) return { status: "error", fieldErrors: fieldErrorsOf<"email">(parsed.error.issues) };
  const result = await requestPasswordReset(getDb(), parsed.data.email);
  if (result.status === "sent") await sendPasswordReset(result.email, result.name, result.userId, result.token);
  // The same answer whether or not the account exists.
  return { status: "success" };
}
