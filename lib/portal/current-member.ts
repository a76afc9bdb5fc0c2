import { redirect } from "next/navigation";
import { forbidden } from "next/navigation";
import { requireUser, type MemberUser } from "@/lib/auth/session";

/**
 * Portal pages: the signed-in member. Staff accounts with no member of their own are sent to the
 * staff console; anyone else without a member gets the 403 page.
 */
export async function requirePortalMember(): Promise<MemberUser> {
  const user = await requireUser();
  if (user.memberId !== null) return user as MemberUser;
  if (user.roles.some((r) => r !== "member")) redirect("/staff");
  forbidden();
}
