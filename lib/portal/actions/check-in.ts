import { and, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { getMemberById } from "@/db/queries/members";
import { loginCheckIns } from "@/db/schema";
import type { SessionUser } from "@/lib/auth/session-user";
import { recordEvent } from "@/lib/loyalty/accrual/record-events";
import { isLoyaltyError } from "@/lib/loyalty/errors";
import type { CheckInState } from "../check-in-state";
import { utcDay } from "../dashboard-queries";
import { memberOf } from "./member-guard";

/**
 * Today's check-in for the signed-in member: a `login` event through the ledger, whose reference is
 * the member and the UTC day, so a second click (or a second tab) the same day awards nothing.
 */
export async function checkInForUser(db: Db, user: SessionUser | null, now: Date): Promise<CheckInState> {
  const guard = memberOf(user);
  if (!guard.ok) return guard.error;
  const member = await getMemberById(db, guard.memberId);
  if (!member) return { status: "error", formError: "We could not find your membership." };
  const day = utcDay(now);
  try {
    const result = await recordEvent(
      db,
      { type: "login", memberExternalId: member.externalId, referenceId: `portal-check-in:${member.id}:${day}` },
      { now, actor: `user:${guard.user.id}` },
    );
    if (result.alreadyCheckedIn || result.duplicate) {
      return { status: "error", formError: "You have already checked in today. Come back tomorrow!" };
    }
    const [row] = await db
      .select({ streak: loginCheckIns.streak })
      .from(loginCheckIns)
      .where(and(eq(loginCheckIns.memberId, member.id), eq(loginCheckIns.day, day)));
    return { status: "success", points: result.points, streak: row?.streak ?? 1 };
  } catch (error) {
    if (isLoyaltyError(error)) return { status: "error", formError: error.message };
    throw error;
  }
}
