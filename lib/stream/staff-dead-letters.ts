import type { Executor } from "@/db/client";
import { authorize, type Actor } from "@/lib/loyalty/access/staff-permissions";
import { listDeadLetters, type DeadLetterEvent } from "./dead-letters";

export const DEAD_LETTERS_PAGE_SIZE = 50;

/**
 * Stream events that could never be applied, newest first, for the staff console. Admins only:
 * payloads hold customers' order data. The page checks the role too; this check is the one a
 * page, an action or a route cannot forget.
 */
export async function listDeadLettersForStaff(
  ex: Executor,
  actor: Actor,
  page: { cursor?: string | null; limit?: number } = {},
): Promise<{ items: DeadLetterEvent[]; nextCursor: string | null }> {
  authorize(actor, "dead-letters:read");
  return listDeadLetters(ex, { limit: page.limit ?? DEAD_LETTERS_PAGE_SIZE, cursor: page.cursor });
}
