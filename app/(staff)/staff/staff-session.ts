import { forbidden } from "next/navigation";
import { getCurrentUser, requireUser, type SessionUser } from "@/lib/auth/session";
import type { Role } from "@/db/schema";
import { rolesAllow, type Actor, type Permission } from "@/lib/loyalty/access/staff-permissions";

export const STAFF_ROLES: readonly Role[] = ["marketing", "support", "admin"];

export function isStaff(user: Pick<SessionUser, "roles">): boolean {
  return user.roles.some((role) => STAFF_ROLES.includes(role));
}

/**
 * Pages: the signed-in staff user allowed `permission` (roles fresh from the database), or the
 * sign-in page / the 403 page. A member never gets a staff page.
 */
export async function requireStaff(permission?: Permission): Promise<{ user: SessionUser; actor: Actor }> {
  const user = await requireUser();
  if (!isStaff(user) || (permission && !rolesAllow(user.roles, permission))) forbidden();
  return { user, actor: { kind: "user", id: user.id, roles: user.roles } };
}

/** Server actions: the user (or null); the service called checks the permission itself. */
export async function actionUser(): Promise<SessionUser | null> {
  return getCurrentUser();
}
