import { and, desc, eq, isNull, lt } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { notifications } from "@/db/schema";

export interface InboxItem {
  id: number;
  kind: "expiry_reminder";
  thresholdDays: number;
  /** YYYY-MM-DD (UTC). */
  expiresOn: string;
  points: number;
  createdAt: Date;
  readAt: Date | null;
}

export interface InboxPage {
  items: InboxItem[];
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

const MAX_LIMIT = 100;

/** A member's inbox, newest first, keyset-paginated along notifications_member_idx. */
export async function listNotifications(ex: Executor, memberId: number, options: { limit?: number; cursor?: string | null } = {}): Promise<InboxPage> {
  const limit = Math.min(Math.max(Math.trunc(options.limit ?? 20), 1), MAX_LIMIT);
  const before = options.cursor && /^\d{1,18}$/.test(options.cursor) ? Number(options.cursor) : null;
  const rows = await ex
    .select({
      id: notifications.id,
      kind: notifications.kind,
      thresholdDays: notifications.thresholdDays,
      expiresOn: notifications.expiresOn,
      points: notifications.points,
      createdAt: notifications.createdAt,
      readAt: notifications.readAt,
    })
    .from(notifications)
    .where(and(eq(notifications.memberId, memberId), before === null ? undefined : lt(notifications.id, before)))
    .orderBy(desc(notifications.id))
    .limit(limit + 1);
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? String(items[items.length - 1]!.id) : null };
}

/** Marks one of the member's own notifications read; false when it is not theirs or already read. */
export async function markNotificationRead(ex: Executor, memberId: number, notificationId: number, now: Date = new Date()): Promise<boolean> {
  const updated = await ex
    .update(notifications)
    .set({ readAt: now })
    .where(and(eq(notifications.id, notificationId), eq(notifications.memberId, memberId), isNull(notifications.readAt)))
    .returning({ id: notifications.id });
  return updated.length > 0;
}
