import { redirect } from "next/navigation";
import { requireUser, type MemberUser } from "@/lib/auth/session";

/**
 * Portal pages: the signed-in member. Staff accounts with no member of their own are sent to the
 * staff console; a member account still waiting for its emailed link (lib/auth/membership.ts)
 * is sent to /check-email and shown nothing of any member.
 */
export async function requirePortalMember(): Promise<MemberUser> {
  const user = await requireUser();
  if (user.memberId !== null) return user as MemberUser;
  if (user.roles.some((r) => r !== "member")) redirect("/staff");
  redirect("/check-email");
}
