import { sql } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { queryRows } from "@/db/client";

/** Unread inbox entries, counted up to 100 along the member's index so a huge inbox stays cheap. */
export async function unreadNotificationCount(ex: Executor, memberId: number): Promise<number> {
  const rows = await queryRows<{ n: number }>(
    ex,
    sql`SELECT count(*)::int AS n FROM (
          SELECT 1 FROM notifications WHERE member_id = ${memberId} AND read_at IS NULL LIMIT 100
        ) unread`,
  );
  return rows[0]?.n ?? 0;
}
