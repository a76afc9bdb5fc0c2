"use client";

import { SubmitButton } from "@/components/ui/submit-button";
import type { StaffFormState } from "@/lib/forms/staff-form-state";
import { ActionForm } from "./action-form";
import { StaffCheckboxGroup, StaffField } from "./staff-field";

type Action = (state: StaffFormState, form: FormData) => Promise<StaffFormState>;

const ROLE_OPTIONS = [
  { value: "admin", label: "Admin" },
  { value: "support", label: "Support" },
  { value: "marketing", label: "Marketing" },
] as const;

export function AddStaffForm({ action }: { action: Action }) {
  return (
    <ActionForm action={action} resetOnSuccess ariaLabel="Add a staff member" className="space-y-3">
      <StaffField label="Email" name="email" type="email" required maxLength={254} autoComplete="off" />
      <StaffField label="Name" name="name" maxLength={100} autoComplete="off" />
      <StaffCheckboxGroup legend="Roles" name="roles" options={ROLE_OPTIONS} />
      <StaffField label="Reason" name="reason" required maxLength={1000} hint="Kept in the audit log." />
      <SubmitButton pendingLabel="Adding…">Add staff member</SubmitButton>
    </ActionForm>
  );
}

export function StaffRolesForm({ action, userId, email, roles }: { action: Action; userId: string; email: string; roles: readonly string[] }) {
  return (
    <ActionForm action={action} ariaLabel={`Roles of ${email}`} className="flex flex-wrap items-end gap-3">
      <input type="hidden" name="userId" value={userId} />
      <StaffCheckboxGroup legend="Roles" name="roles" options={ROLE_OPTIONS} defaultValues={roles} />
      <div className="min-w-48 flex-1">
        <StaffField label="Reason" name="reason" required maxLength={1000} />
      </div>
      <SubmitButton pendingLabel="Saving…">Save roles</SubmitButton>
    </ActionForm>
  );
}
