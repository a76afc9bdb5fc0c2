import type { Role } from "@/db/schema";
import type { SessionUser } from "./session-user";

const STAFF_ROLES: readonly Role[] = ["admin", "support", "marketing"];

/**
 * With STAFF_MFA=required, staff roles count only for an account whose second factor is on: until
 * then the account is what its other roles make it (a member, or nothing), everywhere roles are
 * checked, and `/account` says why. Applied where the session user is built, so no page, action or
 * route can forget it.
 */
export function applyStaffMfa(user: SessionUser, required: boolean): SessionUser & { staffRolesHeldBack: boolean } {
  if (!required || user.totpEnabled || !user.roles.some((r) => STAFF_ROLES.includes(r))) return { ...user, staffRolesHeldBack: false };
  return { ...user, roles: user.roles.filter((r) => !STAFF_ROLES.includes(r)), staffRolesHeldBack: true };
}
