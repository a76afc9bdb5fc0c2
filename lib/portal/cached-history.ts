import type { Executor } from "@/db/client";
import { decodeCursor } from "@/db/queries/transactions";
import { cachedTransactionsPage } from "@/lib/cache/transactions-cache";
import { HISTORY_PAGE_SIZE, listMemberHistory, type HistoryFilter, type HistoryRow } from "./history-queries";

/**
 * The history page's rows. The newest page without filters is what nearly every visit shows: it
 * comes from the 60-second first-page cache the API uses too, dropped when the member's next
 * transaction commits. Deeper or filtered pages are keyset range scans read from the database.
 */
export async function memberHistoryPage(ex: Executor, memberId: number, filter: HistoryFilter): Promise<{ items: HistoryRow[]; nextCursor: number | null }> {
  if (filter.cursor || filter.type || filter.from || filter.to) return listMemberHistory(ex, memberId, filter);
  const page = await cachedTransactionsPage(ex, { memberId, limit: HISTORY_PAGE_SIZE });
  return {
    items: page.items.map((r) => ({
      id: r.id,
      type: r.type,
      amount: r.amount,
      multiplier: Number(r.multiplier),
      referenceType: r.referenceType,
      referenceId: r.referenceId,
      description: r.description,
      occurredAt: r.occurredAt,
      expiresAt: r.expiresAt,
      remaining: r.remaining,
      vestsAt: r.vestsAt ?? null,
    })),
    nextCursor: page.nextCursor ? decodeCursor(page.nextCursor) : null,
  };
}
