"use server";

import { headers } from "next/headers";
import { z } from "zod";
import { getDb } from "@/db/client";
import { requestPasswordReset } from "@/lib/auth/account-security";
import { clientAddress } from "@/lib/auth/client-address";
import { proxyTrust } from "@/lib/auth/proxy-trust";
import { sendPasswordReset } from "@/lib/auth/password-reset-email";
import { fieldErrorsOf, type FormState } from "@/lib/portal/form-state";
import { PASSWORD_RESET_POLICY, tooManyAttempts } from "@/lib/rate-limit/policies";
import { rateLimits } from "@/lib/rate-limit/rate-limits";

const schema = z.object({
  email: z
    .string()
    .trim()
    .toLowerCase()
    .max(254, "That email is too long.")
    .pipe(z.email({ message: "Enter a valid email address." })),
});

export async function forgotPasswordAction(_prev: FormState<"email">, form: FormData): Promise<FormState<"email">> {
  const parsed = schema.safeParse({ email: form.get("email") });
  if (!parsed.success) return { status: "error", fieldErrors: fieldErrorsOf<"email">(parsed.error.issues) };
  // Per client address, before anything is looked up: the answer says nothing about the account.
  const limit = await rateLimits().consume(PASSWORD_RESET_POLICY, clientAddress(await headers(), proxyTrust()));
  if (!limit.allowed) return { status: "error", formError: tooManyAttempts(limit.retryAfterSeconds) };
  const result = await requestPasswordReset(getDb(), parsed.data.email);
  if (result.status === "sent") await sendPasswordReset(result.email, result.name, result.userId, result.token);
  // The same answer whether or not the account exists.
  return { status: "success" };
}
