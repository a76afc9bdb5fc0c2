"use client";

import { useActionState } from "react";
import { changePasswordAction } from "@/app/(auth)/account/account-actions";
import { Alert } from "@/components/ui/alert";
import { Field } from "@/components/ui/field";
import { SubmitButton } from "@/components/ui/submit-button";
import { IDLE, type FormState } from "@/lib/portal/form-state";

type ChangeField = "currentPassword" | "newPassword" | "confirm";

export function ChangePasswordForm() {
  const [state, action] = useActionState(changePasswordAction, IDLE as FormState<ChangeField>);
  const error = state.status === "error" ? state : undefined;
  return (
    <form action={action} className="space-y-4" noValidate>
      {error?.formError ? <Alert tone="error">{error.formError}</Alert> : null}
      <Field
        label="Current password"
        name="currentPassword"
        type="password"
        autoComplete="current-password"
        required
        error={error?.fieldErrors?.currentPassword}
      />
      <Field
        label="New password"
        name="newPassword"
        type="password"
        autoComplete="new-password"
        required
        minLength={12}
        hint="At least 12 characters."
        error={error?.fieldErrors?.newPassword}
      />
      <Field label="Repeat the new password" name="confirm" type="password" autoComplete="new-password" required error={error?.fieldErrors?.confirm} />
      <SubmitButton className="w-full" pendingLabel="Saving…">
        Change password
      </SubmitButton>
    </form>
  );
}
