"use client";

import { useActionState } from "react";
import { forgotPasswordAction } from "@/app/(auth)/forgot-password/forgot-password-action";
import { Alert } from "@/components/ui/alert";
import { Field } from "@/components/ui/field";
import { SubmitButton } from "@/components/ui/submit-button";
import { IDLE, type FormState } from "@/lib/portal/form-state";

export function ForgotPasswordForm() {
  const [state, action] = useActionState(forgotPasswordAction, IDLE as FormState<"email">);
  if (state.status === "success") {
    return <Alert tone="success">If an account with a password uses that email, a link to reset it is on its way. Check your inbox.</Alert>;
  }
  const error = state.status === "error" ? state : undefined;
  return (
    <form action={action} className="space-y-4" noValidate>
      {error?.formError ? <Alert tone="error">{error.formError}</Alert> : null}
      <Field label="Email" name="email" type="email" autoComplete="email" required error={error?.fieldErrors?.email} />
      <SubmitButton className="w-full" pendingLabel="Sending…">
        Email me a link
      </SubmitButton>
    </form>
  );
}
