"use client";

import { useActionState } from "react";
import { signUpAction } from "@/app/(auth)/sign-up/sign-up-action";
import { Alert } from "@/components/ui/alert";
import { Field } from "@/components/ui/field";
import { SubmitButton } from "@/components/ui/submit-button";
import { IDLE, type FormState } from "@/lib/portal/form-state";
import { EmailField, PasswordField } from "./credential-fields";

/** `referralCode`: from the invite link (`/sign-up?ref=CODE`), sent along with the form. */
export function SignUpForm({ referralCode }: { referralCode?: string } = {}) {
  const [state, action] = useActionState(signUpAction, IDLE as FormState<"name" | "email" | "password">);
  const error = state.status === "error" ? state : undefined;
  return (
    <form action={action} className="space-y-4" noValidate>
      {error?.formError ? <Alert tone="error">{error.formError}</Alert> : null}
      {referralCode ? <input type="hidden" name="referralCode" value={referralCode} /> : null}
      <Field label="Name" name="name" autoComplete="name" required defaultValue={error?.values?.name} error={error?.fieldErrors?.name} />
      <EmailField failed={error} hint="Use the email you shop with to bring over the points you already have." />
      <PasswordField failed={error} isNew hint="At least 12 characters." />
      <SubmitButton className="w-full" pendingLabel="Creating your account…">
        Create account
      </SubmitButton>
    </form>
  );
}
