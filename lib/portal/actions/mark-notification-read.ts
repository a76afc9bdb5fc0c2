import { z } from "zod";
import type { Db } from "@/db/client";
import type { SessionUser } from "@/lib/auth/session-user";
import { markNotificationRead } from "@/lib/loyalty/members/notifications";
import type { FormState } from "../form-state";
import { memberOf } from "./member-guard";

const inputSchema = z.object({ notificationId: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });

export type MarkReadState = FormState<"notificationId">;

/** Marks one notification of the signed-in member read; another member's id is simply not found. */
export async function markNotificationReadForUser(db: Db, user: SessionUser | null, input: Record<string, unknown>, now: Date): Promise<MarkReadState> {
  const guard = memberOf(user);
  if (!guard.ok) return guard.error;
  const parsed = inputSchema.safeParse(input);
  if (!parsed.success) return { status: "error", formError: "That notification does not exist." };
  const changed = await markNotificationRead(db, guard.memberId, parsed.data.notificationId, now);
  if (!changed) return { status: "error", formError: "That notification does not exist or is already read." };
  return { status: "success" };
}
