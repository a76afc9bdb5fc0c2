"use client";

import { useActionState } from "react";
import { twoFactorAction, type TwoFactorState } from "@/app/(auth)/account/account-actions";
import { Alert } from "@/components/ui/alert";
import { Field } from "@/components/ui/field";
import { SubmitButton } from "@/components/ui/submit-button";
import { IDLE } from "@/lib/portal/form-state";

/** Set-up (a secret to add to an authenticator app, confirmed with a code; recovery codes shown once) and removal. */
export function TwoFactorPanel({ enabled }: { enabled: boolean }) {
  const [state, action] = useActionState(twoFactorAction, IDLE as TwoFactorState);
  const error = state.status === "error" ? state : undefined;
  const success = state.status === "success" ? state : undefined;
  if (success?.step === "enabled") {
    return (
      <div className="space-y-3">
        <Alert tone="success">Two-factor authentication is on. Keep these recovery codes somewhere safe: each works once, and they are shown only now.</Alert>
        <ul className="grid grid-cols-2 gap-1 font-mono text-sm" data-testid="recovery-codes">
          {success.recoveryCodes.map((code) => (
            <li key={code}>{code}</li>
          ))}
        </ul>
      </div>
    );
  }
  if (success?.step === "disabled") return <Alert tone="info">Two-factor authentication is off.</Alert>;
  const confirming = success?.step === "confirm" ? success : undefined;
  if (enabled && !confirming) {
    return (
      <form action={action} className="space-y-3" noValidate>
        <p className="text-sm text-slate-600">Two-factor authentication is on. To turn it off, enter a current code or a recovery code.</p>
        {error?.formError ? <Alert tone="error">{error.formError}</Alert> : null}
        <input type="hidden" name="intent" value="disable" />
        <Field label="Code to turn it off" name="code" autoComplete="one-time-code" required error={error?.fieldErrors?.code} />
        <SubmitButton className="w-full" pendingLabel="Turning off…">
          Turn off two-factor
        </SubmitButton>
      </form>
    );
  }
  if (!confirming) {
    return (
      <form action={action} className="space-y-3">
        <p className="text-sm text-slate-600">A code from an authenticator app on your phone, asked for at every sign-in.</p>
        {error?.formError ? <Alert tone="error">{error.formError}</Alert> : null}
        <input type="hidden" name="intent" value="start" />
        <SubmitButton className="w-full" pendingLabel="Preparing…">
          Set up two-factor
        </SubmitButton>
      </form>
    );
  }
  return (
    <form action={action} className="space-y-3" noValidate>
      <p className="text-sm text-slate-600">Add this key to your authenticator app (or open the link on your phone), then enter the code it shows.</p>
      <p className="rounded-lg bg-slate-100 p-2 font-mono text-sm break-all" data-testid="totp-secret">
        {confirming.secret}
      </p>
      <a href={confirming.uri} className="text-sm font-semibold text-indigo-700 underline">
        Open in an authenticator app
      </a>
      {error?.formError ? <Alert tone="error">{error.formError}</Alert> : null}
      <input type="hidden" name="intent" value="confirm" />
      <Field label="Code from the app" name="code" inputMode="numeric" autoComplete="one-time-code" required error={error?.fieldErrors?.code} />
      <SubmitButton className="w-full" pendingLabel="Checking…">
        Turn on two-factor
      </SubmitButton>
    </form>
  );
}
