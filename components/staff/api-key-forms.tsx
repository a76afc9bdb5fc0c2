"use client";

import { useActionState, useEffect, useRef } from "react";
import { useFormStatus } from "react-dom";
import { Alert } from "@/components/ui/alert";
import { buttonClass } from "@/components/ui/button-class";
import { CheckboxGroup, Field, SelectField } from "@/components/ui/field";
import { SubmitButton } from "@/components/ui/submit-button";
import { IDLE } from "@/lib/forms/staff-form-state";
import type { ApiKeyFormState } from "@/lib/staff/api-key-form-state";

type Action = (state: ApiKeyFormState, form: FormData) => Promise<ApiKeyFormState>;

/** The new key, shown once: selected on focus so it copies in one go. */
function Secret({ state }: { state: ApiKeyFormState }) {
  if (state.status !== "created") return null;
  return (
    <div className="mt-3 space-y-2">
      <Alert tone="success">{state.message}</Alert>
      <label className="block text-sm font-medium text-slate-800">
        New API key
        <input
          readOnly
          value={state.secret}
          onFocus={(e) => e.currentTarget.select()}
          aria-describedby="api-key-once"
          className="mt-1 block w-full rounded-lg border border-slate-300 bg-slate-50 px-3 py-2 font-mono text-xs"
          data-testid="new-api-key"
        />
      </label>
      <p id="api-key-once" className="text-xs text-slate-600">
        Only its hash is stored: it cannot be shown again. Send it as <code>Authorization: Bearer …</code>.
      </p>
    </div>
  );
}

function Outcome({ state }: { state: ApiKeyFormState }) {
  if (state.status === "error") return <Alert tone="error">{state.formError}</Alert>;
  if (state.status === "success") return <Alert tone="success">{state.message}</Alert>;
  return null;
}

const fieldError = (state: ApiKeyFormState, name: string) => (state.status === "error" ? state.fieldErrors[name]?.join(" ") : undefined);

export function NewApiKeyForm({ action, scopes, defaultRate }: { action: Action; scopes: readonly string[]; defaultRate: number }) {
  const [state, formAction] = useActionState(action, IDLE as ApiKeyFormState);
  const ref = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (state.status === "created") ref.current?.reset();
  }, [state]);
  const values = state.status === "error" ? state.values : {};
  return (
    <form ref={ref} action={formAction} aria-label="New API key" className="space-y-3" noValidate>
      <Outcome state={state} />
      <Field
        key={`name-${values.name ?? ""}`}
        label="Name"
        name="name"
        required
        maxLength={100}
        density="compact"
        defaultValue={values.name}
        error={fieldError(state, "name")}
        hint="What the key is for, e.g. shop-checkout."
      />
      <CheckboxGroup
        legend="Scopes"
        name="scopes"
        options={scopes.map((s) => ({ value: s, label: s }))}
        defaultValues={values.scopes?.split(",") ?? []}
        density="compact"
        error={fieldError(state, "scopes")}
        hint="Only what the client needs; none is given by default."
      />
      <div className="grid gap-3 sm:grid-cols-2">
        <Field
          key={`rate-${values.rateLimit ?? ""}`}
          label="Rate limit (requests/s)"
          name="rateLimit"
          inputMode="numeric"
          density="compact"
          defaultValue={values.rateLimit}
          placeholder={String(defaultRate)}
          error={fieldError(state, "rateLimit")}
          hint={`Empty: the default, ${defaultRate}/s.`}
        />
        <SelectField
          label="Expires"
          name="expiresIn"
          density="compact"
          defaultValue={values.expiresIn ?? "90d"}
          error={fieldError(state, "expiresIn")}
          options={[
            { value: "30d", label: "in 30 days" },
            { value: "90d", label: "in 90 days" },
            { value: "365d", label: "in a year" },
            { value: "never", label: "never" },
          ]}
        />
      </div>
      <SubmitButton pendingLabel="Creating…">Create key</SubmitButton>
      <Secret state={state} />
    </form>
  );
}

function RowButton({ label, confirm, danger }: { label: string; confirm: string; danger?: boolean }) {
  const { pending } = useFormStatus();
  return (
    <button
      type="submit"
      disabled={pending}
      onClick={(e) => {
        if (!window.confirm(confirm)) e.preventDefault();
      }}
      className={`${buttonClass(danger ? "danger" : "secondary")} min-h-9 px-3 py-1 text-xs`}
    >
      {pending ? "…" : label}
    </button>
  );
}

function RowForm({ action, id, children }: { action: (form: FormData) => void; id: number; children: React.ReactNode }) {
  return (
    <form action={action}>
      <input type="hidden" name="id" value={id} />
      {children}
    </form>
  );
}

function RowMessage({ state }: { state: ApiKeyFormState }) {
  if (state.status === "error") {
    return (
      <span role="alert" className="text-xs font-medium text-red-700">
        {state.formError}
      </span>
    );
  }
  if (state.status === "success") {
    return (
      <span role="status" className="text-xs text-emerald-800">
        {state.message}
      </span>
    );
  }
  return null;
}

/**
 * Rotate and revoke for one key row. One component per row, whatever the key's status, so the
 * new secret of a rotation stays on screen when the page refreshes and the row turns "revoked".
 */
export function ApiKeyRowActions({
  id,
  name,
  status,
  rotate,
  revoke,
}: {
  id: number;
  name: string;
  status: "active" | "retiring" | "expired" | "revoked";
  rotate: Action;
  revoke: Action;
}) {
  const [rotated, rotateAction] = useActionState(rotate, IDLE as ApiKeyFormState);
  const [revoked, revokeAction] = useActionState(revoke, IDLE as ApiKeyFormState);
  return (
    <div className="flex max-w-sm flex-col items-start gap-2">
      {status === "active" ? (
        <RowForm action={rotateAction} id={id}>
          <RowButton label="Rotate" confirm={`Replace the secret of “${name}”? The old key stops working now.`} />
        </RowForm>
      ) : null}
      {status !== "revoked" ? (
        <RowForm action={revokeAction} id={id}>
          <RowButton label={status === "active" ? "Revoke" : "Revoke now"} danger confirm={`Revoke “${name}”? Its clients will be refused.`} />
        </RowForm>
      ) : null}
      <RowMessage state={rotated} />
      <RowMessage state={revoked} />
      <Secret state={rotated} />
    </div>
  );
}
