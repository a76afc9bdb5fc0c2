"use client";

import { useActionState } from "react";
import { signInAction } from "@/app/(auth)/sign-in/sign-in-action";
import { Alert } from "@/components/ui/alert";
import { Field } from "@/components/ui/field";
import { SubmitButton } from "@/components/ui/submit-button";
import { IDLE, type FormState } from "@/lib/portal/form-state";
import { EmailField, PasswordField } from "./credential-fields";

export function SignInForm({ callbackUrl }: { callbackUrl: string }) {
  const [state, action] = useActionState(signInAction, IDLE as FormState<"email" | "password" | "code">);
  const error = state.status === "error" ? state : undefined;
  return (
    <form action={action} className="space-y-4" noValidate>
      {error?.formError ? <Alert tone="error">{error.formError}</Alert> : null}
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
      <EmailField failed={error} />
      <PasswordField failed={error} />
      {error?.fieldErrors?.code ? (
        <Field
          label="Authentication code"
          name="code"
          inputMode="text"
          autoComplete="one-time-code"
          required
          error={error.fieldErrors.code}
          hint="6 digits from your authenticator app, or one of your recovery codes."
        />
      ) : null}
      <SubmitButton className="w-full" pendingLabel="Signing in…">
        Sign in
      </SubmitButton>
    </form>
  );
}
