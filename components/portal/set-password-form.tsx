"use client";

import Link from "next/link";
import { useActionState } from "react";
import { setPasswordAction } from "@/app/(auth)/set-password/set-password-action";
import { Alert } from "@/components/ui/alert";
import { Field } from "@/components/ui/field";
import { SubmitButton } from "@/components/ui/submit-button";
import { IDLE } from "@/lib/portal/form-state";
import type { SetPasswordState } from "@/lib/auth/set-password-form";

export function SetPasswordForm({ user, token }: { user: string; token: string }) {
  const [state, action] = useActionState(setPasswordAction, IDLE as SetPasswordState);
  if (state.status === "success") {
    return (
      <Alert tone="success">
        Your password is set.{" "}
        <Link href="/sign-in" className="font-semibold underline">
          Sign in{state.email ? ` as ${state.email}` : ""}
        </Link>
      </Alert>
    );
  }
  const error = state.status === "error" ? state : undefined;
  return (
    <form action={action} className="space-y-4" noValidate>
      {error?.formError ? <Alert tone="error">{error.formError}</Alert> : null}
      <input type="hidden" name="user" value={user} />
      <input type="hidden" name="token" value={token} />
      <Field
        label="New password"
        name="password"
        type="password"
        autoComplete="new-password"
        required
        minLength={12}
        error={error?.fieldErrors?.password}
        hint="At least 12 characters."
      />
      <Field label="Repeat the password" name="confirm" type="password" autoComplete="new-password" required error={error?.fieldErrors?.confirm} />
      <SubmitButton className="w-full" pendingLabel="Saving…">
        Set password
      </SubmitButton>
    </form>
  );
}
