"use client";

import { useActionState } from "react";
import { resendAction, type ResendState } from "@/app/(auth)/check-email/resend-action";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/submit-button";
import { IDLE } from "@/lib/portal/form-state";

export function ResendLinkForm({ label }: { label: string }) {
  const [state, action] = useActionState(resendAction, IDLE as ResendState);
  return (
    <form action={action} className="space-y-3">
      {state.status === "error" && state.formError ? <Alert tone="error">{state.formError}</Alert> : null}
      {state.status === "success" ? <Alert tone="success">{state.message}</Alert> : null}
      <SubmitButton variant="secondary" className="w-full" pendingLabel="Sending…">
        {label}
      </SubmitButton>
    </form>
  );
}
