"use server";

import { AuthError, CredentialsSignin } from "next-auth";
import { signIn } from "@/auth";
import { credentialsSchema } from "@/lib/auth/credentials";
import { safeRedirectPath } from "@/lib/auth/safe-redirect";
import { fieldErrorsOf, type FormState } from "@/lib/portal/form-state";

type Field = "email" | "password" | "code";

export async function signInAction(_prev: FormState<Field>, form: FormData): Promise<FormState<Field>> {
  const values = { email: String(form.get("email") ?? "").slice(0, 254) };
  const code = form.get("code");
  const parsed = credentialsSchema.safeParse({
    email: form.get("email"),
    password: form.get("password"),
    code: typeof code === "string" && code.trim() ? code : undefined,
  });
  if (!parsed.success) return { status: "error", fieldErrors: fieldErrorsOf<Field>(parsed.error.issues), values };
  try {
    await signIn("credentials", { ...parsed.data, redirectTo: safeRedirectPath(form.get("callbackUrl")) });
  } catch (error) {
    // signIn redirects by throwing; only Auth.js errors are failures of ours to report.
    if (!(error instanceof AuthError)) throw error;
    if (error instanceof CredentialsSignin && error.code === "throttled") {
      return { status: "error", formError: "Too many failed attempts. Please wait a few minutes and try again.", values };
    }
    if (error instanceof CredentialsSignin && error.code === "second_factor") {
      const message = parsed.data.code ? "That code did not work. Try the current one, or a recovery code." : "Enter the code from your authenticator app.";
      return {
        status: "error",
        formError: "Two-factor authentication is on for this account: enter your password again with a code.",
        fieldErrors: { code: message },
        values,
      };
    }
    return { status: "error", formError: "That email and password do not match an account.", values };
  }
  return { status: "success" };
}
