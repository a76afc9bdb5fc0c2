"use client";

import { createContext, useActionState, useContext, useEffect, useRef } from "react";
import { Alert } from "@/components/ui/alert";
import { IDLE, type StaffFormState } from "@/lib/forms/staff-form-state";

const FormStateContext = createContext<StaffFormState>(IDLE);

export function useStaffFormState(): StaffFormState {
  return useContext(FormStateContext);
}

/**
 * A form bound to a staff server action: shows the action's error or success message, and gives
 * its fields (StaffField…) their errors and previous values through context.
 */
export function ActionForm({
  action,
  children,
  className = "",
  resetOnSuccess = false,
  ariaLabel,
}: {
  action: (state: StaffFormState, form: FormData) => Promise<StaffFormState>;
  children: React.ReactNode;
  className?: string;
  resetOnSuccess?: boolean;
  ariaLabel?: string;
}) {
  const [state, formAction] = useActionState(action, IDLE);
  const ref = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (resetOnSuccess && state.status === "success") ref.current?.reset();
  }, [state, resetOnSuccess]);
  return (
    <FormStateContext.Provider value={state}>
      <form ref={ref} action={formAction} className={className} aria-label={ariaLabel} noValidate>
        {state.status === "error" ? (
          <div className="mb-3">
            <Alert tone="error">{state.formError}</Alert>
          </div>
        ) : null}
        {state.status === "success" ? (
          <div className="mb-3">
            <Alert tone="success">{state.message}</Alert>
          </div>
        ) : null}
        {children}
      </form>
    </FormStateContext.Provider>
  );
}
