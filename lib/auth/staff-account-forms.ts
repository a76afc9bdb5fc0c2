import type { Db } from "@/db/client";
import type { Role } from "@/db/schema";
import { isLoyaltyError } from "@/lib/loyalty/errors";
import { checkReason } from "@/lib/loyalty/adjustments/check-reason";
import { runStaffForm, type StaffFormState } from "@/lib/forms/staff-form";
import { passwordLinkUrl } from "./password-link";
import { createStaffAccount, grantStaffRoles, reissuePasswordLink, setStaffRoles } from "./staff-accounts";

/**
 * The staff page's forms (app/(staff)/staff/accounts/actions.ts is a line per action around these).
 * The services check the admin role themselves; these only turn form fields into their input.
 */
type FormUser = { id: string; roles: Role[] } | null;
export interface StaffFormInput {
  values: Record<string, string>;
  /** Every ticked role (a checkbox group posts one `roles` field per box). */
  roles: string[];
}

const linkText = (url: string) => `Send them this one-time link to choose a password (valid 24 hours, works once): ${url}`;

/** A new staff account with a one-time password link, or, for an email that has an account, these roles granted to it. */
export function addStaffForm(db: Db, user: FormUser, input: StaffFormInput, origin: string, now = new Date()): Promise<StaffFormState> {
  const { values, roles } = input;
  return runStaffForm(user, values, async (actor) => {
    const reason = checkReason(values.reason);
    try {
      const created = await createStaffAccount(db, actor, { email: values.email ?? "", name: values.name, roles, reason }, now);
      const url = passwordLinkUrl(origin, created.user.id, created.passwordLink!.token);
      return `Created ${created.user.email} (${created.user.roles.join(", ")}). ${linkText(url)}`;
    } catch (error) {
      if (!(isLoyaltyError(error) && error.code === "conflict" && error.field === "email")) throw error;
      const change = await grantStaffRoles(db, actor, { email: values.email ?? "", roles, reason }, now);
      return `${change.email} already had an account: its roles are now ${change.after.join(", ")}.`;
    }
  });
}

/** Exactly the ticked staff roles for one account; none ticked removes it from the staff. */
export function saveStaffRolesForm(db: Db, user: FormUser, input: StaffFormInput, now = new Date()): Promise<StaffFormState> {
  const { values, roles } = input;
  return runStaffForm(user, values, async (actor) => {
    const reason = checkReason(values.reason);
    const change = await setStaffRoles(db, actor, { userId: values.userId ?? "", roles, reason }, now);
    if (change.before.join() === change.after.join()) return "No change.";
    return `${change.email}: ${change.before.join(", ") || "no role"} → ${change.after.join(", ") || "no role"}.`;
  });
}

export function newPasswordLinkForm(db: Db, user: FormUser, input: StaffFormInput, origin: string, now = new Date()): Promise<StaffFormState> {
  return runStaffForm(user, input.values, async (actor) => {
    const link = await reissuePasswordLink(db, actor, { userId: input.values.userId ?? "" }, now);
    return `${linkText(passwordLinkUrl(origin, link.userId, link.token))} The previous link no longer works.`;
  });
}
