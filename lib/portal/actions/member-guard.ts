import type { SessionUser } from "@/lib/auth/session-user";
import type { FormError } from "../form-state";

/**
 * Every portal action's authorization: a signed-in user who is a member. The member id used by
 * the action is always this one, from the session; nothing in the submitted form can change it.
 */
export function memberOf(user: SessionUser | null): { ok: true; memberId: number; user: SessionUser } | { ok: false; error: FormError<never> } {
  if (!user) return { ok: false, error: { status: "error", formError: "Your session has ended. Please sign in again." } };
  if (user.memberId === null || !user.roles.includes("member")) {
    return { ok: false, error: { status: "error", formError: "Only members can do this." } };
  }
  return { ok: true, memberId: user.memberId, user };
}
