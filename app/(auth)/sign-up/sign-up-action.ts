"use server";

import { headers } from "next/headers";
import { signIn } from "@/auth";
import { getDb } from "@/db/client";
import { clientAddress } from "@/lib/auth/client-address";
import { proxyTrust } from "@/lib/auth/proxy-trust";
import { sendMemberLink } from "@/lib/auth/send-member-link";
import { signUp, signUpSchema } from "@/lib/auth/sign-up";
import { normalizeReferralCode } from "@/lib/loyalty/rules/referrals";
import { fieldErrorsOf, type FormState } from "@/lib/portal/form-state";
import { SIGN_UP_POLICY, tooManyAttempts } from "@/lib/rate-limit/policies";
import { rateLimits } from "@/lib/rate-limit/rate-limits";

type Field = "name" | "email" | "password";

export async function signUpAction(_prev: FormState<Field>, form: FormData): Promise<FormState<Field>> {
  const values = { name: String(form.get("name") ?? "").slice(0, 100), email: String(form.get("email") ?? "").slice(0, 254) };
  const parsed = signUpSchema.safeParse({ name: form.get("name"), email: form.get("email"), password: form.get("password") });
  if (!parsed.success) return { status: "error", fieldErrors: fieldErrorsOf<Field>(parsed.error.issues), values };
  // Per client address, counted before anything is written (and for taken emails too: a probe costs the same).
  const limit = await rateLimits().consume(SIGN_UP_POLICY, clientAddress(await headers(), proxyTrust()));
  if (!limit.allowed) return { status: "error", formError: tooManyAttempts(limit.retryAfterSeconds), values };
  // The page puts a well-formed code in the form (from ?ref=); anything else was not sent by it.
  const ref = form.get("referralCode");
  if (ref !== null && (typeof ref !== "string" || normalizeReferralCode(ref) === null)) {
    return { status: "error", formError: "This invite link is not valid: open it again, or sign up without it.", values };
  }
  const result = await signUp(getDb(), parsed.data, new Date(), ref ? { referralCode: ref } : {});
  if (!result.ok) {
    return { status: "error", fieldErrors: { email: "An account with this email already exists. Sign in instead." }, values };
  }
  // An existing member's points wait for the emailed link; a failed send can be retried from /check-email.
  const sent = result.status === "pending" ? await sendMemberLink(parsed.data.email, parsed.data.name, result.token, result.expiresAt) : true;
  const redirectTo = result.status === "enrolled" ? "/" : sent ? "/check-email" : "/check-email?error=unsent";
  // signIn sets the session cookie and redirects (by throwing).
  await signIn("credentials", { email: parsed.data.email, password: parsed.data.password, redirectTo });
  return { status: "success" };
}
