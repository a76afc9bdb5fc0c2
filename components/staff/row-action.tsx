"use client";

import { useActionState } from "react";
import { buttonClass, type ButtonVariant } from "@/components/ui/button-class";
import { IDLE, type StaffFormState } from "@/lib/forms/staff-form-state";
import { useFormStatus } from "react-dom";

function Button({ label, variant, confirm }: { label: string; variant: ButtonVariant; confirm?: string }) {
  const { pending } = useFormStatus();
  return (
    <button
      type="submit"
      disabled={pending}
      onClick={(e) => {
        if (confirm && !window.confirm(confirm)) e.preventDefault();
      }}
      className={`${buttonClass(variant)} min-h-9 px-3 py-1 text-xs`}
    >
      {pending ? "…" : label}
    </button>
  );
}

/** A one-button form (pause, approve, reverse…) posting hidden fields; shows the outcome beside it. */
export function RowAction({
  action,
  fields,
  label,
  variant = "secondary",
  confirm,
}: {
  action: (state: StaffFormState, form: FormData) => Promise<StaffFormState>;
  fields: Record<string, string | number>;
  label: string;
  variant?: ButtonVariant;
  confirm?: string;
}) {
  const [state, formAction] = useActionState(action, IDLE);
  return (
    <form action={formAction} className="inline-flex flex-col items-start gap-1">
      {Object.entries(fields).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      <Button label={label} variant={variant} confirm={confirm} />
      {state.status === "error" ? (
        <span role="alert" className="text-xs font-medium text-red-700">
          {state.formError}
        </span>
      ) : null}
      {state.status === "success" ? (
        <span role="status" className="text-xs text-emerald-800">
          {state.message}
        </span>
      ) : null}
    </form>
  );
}
