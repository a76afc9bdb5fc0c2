"use server";

import { AuthError } from "next-auth";
import { headers } from "next/headers";
import { z } from "zod";
import { signIn, signOut } from "@/auth";
import { getDb } from "@/db/client";
import { changePassword, signOutEverywhere } from "@/lib/auth/account-security";
import { clientAddress } from "@/lib/auth/client-address";
import { newPasswordSchema } from "@/lib/auth/password-link";
import { proxyTrust } from "@/lib/auth/proxy-trust";
import { authorize } from "@/lib/auth/session";
import { signInThrottle } from "@/lib/auth/sign-in-throttle";
import { beginEnrolment, confirmEnrolment, disableTwoFactor } from "@/lib/auth/two-factor";
import { fieldErrorsOf, type FormState } from "@/lib/portal/form-state";

type Field = "currentPassword" | "newPassword" | "confirm";

const schema = z
  .object({ currentPassword: z.string().min(1, "Enter your current password.").max(200), newPassword: newPasswordSchema, confirm: z.string().max(1000) })
  .refine((v) => v.newPassword === v.confirm, { path: ["confirm"], message: "The two passwords differ." });

/**
 * New password: the current one is checked under the sign-in throttle (a session left open must
 * not become a way to guess it), every session of the account ends, and this device is signed in
 * again with the new password.
 */
export async function changePasswordAction(_prev: FormState<Field>, form: FormData): Promise<FormState<Field>> {
  const session = await authorize();
  if (!session.ok) return { status: "error", formError: session.formError };
  const parsed = schema.safeParse(Object.fromEntries(form));
  if (!parsed.success) return { status: "error", fieldErrors: fieldErrorsOf<Field>(parsed.error.issues) };
  const verdict = await signInThrottle().attempt(clientAddress(await headers(), proxyTrust()), session.user.email);
  if (!verdict.allowed) return { status: "error", formError: "Too many wrong passwords. Please wait a few minutes and try again." };
  const result = await changePassword(getDb(), session.user.id, parsed.data);
  if (!result.ok) {
    await verdict.attempt.failed();
    if (result.reason === "no_password") return { status: "error", formError: "This account signs in with single sign-on and has no password here." };
    return { status: "error", fieldErrors: { currentPassword: "That is not your current password." } };
  }
  await verdict.attempt.succeeded();
  try {
    await signIn("credentials", { email: session.user.email, password: parsed.data.newPassword, redirectTo: "/account?changed=1" });
  } catch (error) {
    // signIn redirects by throwing; if signing this device in again fails, the new password still stands.
    if (!(error instanceof AuthError)) throw error;
    await signOut({ redirectTo: "/sign-in?notice=password" });
  }
  return { status: "success" };
}

export async function signOutEverywhereAction(): Promise<void> {
  const session = await authorize();
  if (session.ok) await signOutEverywhere(getDb(), session.user.id);
  await signOut({ redirectTo: "/sign-in?notice=signed-out" });
}

export type TwoFactorState = FormState<
  "code",
  { step: "confirm"; secret: string; uri: string } | { step: "enabled"; recoveryCodes: string[] } | { step: "disabled" }
>;

/**
 * Two-factor set-up and removal from /account (`intent`: start, confirm, disable). Codes typed here
 * are guesses like passwords: they go through the sign-in throttle of this account and address.
 */
export async function twoFactorAction(_prev: TwoFactorState, form: FormData): Promise<TwoFactorState> {
  const session = await authorize();
  if (!session.ok) return { status: "error", formError: session.formError };
  const intent = form.get("intent");
  const code = String(form.get("code") ?? "").slice(0, 64);
  if (intent === "start") {
    const started = await beginEnrolment(getDb(), session.user.id);
    if (started.status === "already_enabled") return { status: "error", formError: "Two-factor authentication is already on." };
    return { status: "success", step: "confirm", secret: started.secret, uri: started.uri };
  }
  if (intent !== "confirm" && intent !== "disable") return { status: "error", formError: "Choose what to do." };
  if (!code.trim()) return { status: "error", fieldErrors: { code: "Enter the code from your authenticator app." } };
  const verdict = await signInThrottle().attempt(clientAddress(await headers(), proxyTrust()), session.user.email);
  if (!verdict.allowed) return { status: "error", formError: "Too many wrong codes. Please wait a few minutes and try again." };
  if (intent === "confirm") {
    const result = await confirmEnrolment(getDb(), session.user.id, code);
    if (!result.ok) {
      await verdict.attempt.failed();
      return result.reason === "no_enrolment"
        ? { status: "error", formError: "Start the set-up again." }
        : { status: "error", fieldErrors: { code: "That code did not work. Check the app's clock and try the current code." } };
    }
    await verdict.attempt.succeeded();
    return { status: "success", step: "enabled", recoveryCodes: result.recoveryCodes };
  }
  if (!(await disableTwoFactor(getDb(), session.user.id, code))) {
    await verdict.attempt.failed();
    return { status: "error", fieldErrors: { code: "That code did not work." } };
  }
  await verdict.attempt.succeeded();
  return { status: "success", step: "disabled" };
}
