import { redirect } from "next/navigation";
import { auth } from "@/auth";
import { getDb } from "@/db/client";
import type { Role } from "@/db/schema";
import { env } from "@/lib/env";
import { hasAnyRole, loadSessionUser, type SessionUser } from "./session-user";
import { applyStaffMfa } from "./staff-mfa";

export type { SessionUser } from "./session-user";
export type MemberUser = SessionUser & { memberId: number };

/** The signed-in user with roles fresh from the database, or null. Never trusts roles in the cookie. */
export async function getCurrentUser(): Promise<SessionUser | null> {
  const session = await auth();
  const userId = session?.user?.id;
  if (!userId) return null;
  const user = await loadSessionUser(getDb(), userId, session.user.sessionVersion);
  return user && applyStaffMfa(user, env().STAFF_MFA === "required");
}

/** Pages and layouts: signed-out visitors go to /sign-in. */
export async function requireUser(): Promise<SessionUser> {
  const user = await getCurrentUser();
  if (!user) redirect("/sign-in");
  return user;
}

export type AuthorizeResult = { ok: true; user: SessionUser } | { ok: false; status: 401 | 403; formError: string };

/** Server actions: never throws or redirects, so the action can return `{status: 'error', formError}`. */
export async function authorize(...roles: Role[]): Promise<AuthorizeResult> {
  const user = await getCurrentUser();
  if (!user) return { ok: false, status: 401, formError: "Your session has ended. Please sign in again." };
  if (roles.length > 0 && !hasAnyRole(user, roles)) {
    return { ok: false, status: 403, formError: "You are not allowed to do this." };
  }
  return { ok: true, user };
}
