import { and, desc, eq, gte, inArray, lt } from "drizzle-orm";
import { z } from "zod";
import type { Executor } from "@/db/client";
import { pointTransactions, TRANSACTION_TYPES, type TransactionType } from "@/db/schema";
import { boundedDay } from "@/lib/loyalty/input/input-bounds";

export const HISTORY_PAGE_SIZE = 25;

// A real day from 1970 on: "0000-01-01" is an ISO date that PostgreSQL refuses.
const day = z.iso
  .date()
  .refine((v) => boundedDay(v) !== undefined)
  .optional()
  .or(z.literal("").transform(() => undefined));

/** The history page's query string. Bad values are dropped rather than failing the page. */
export const historyFilterSchema = z.object({
  type: z
    .enum(TRANSACTION_TYPES)
    .optional()
    .or(z.literal("").transform(() => undefined))
    .catch(undefined),
  from: day.catch(undefined),
  to: day.catch(undefined),
  cursor: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional().catch(undefined),
});

export type HistoryFilter = z.infer<typeof historyFilterSchema>;

export interface HistoryRow {
  id: number;
  type: TransactionType;
  amount: number;
  multiplier: number;
  referenceType: string;
  referenceId: string;
  description: string | null;
  occurredAt: Date;
  expiresAt: Date | null;
  remaining: number | null;
  /** A purchase's lot in its return window: pending until then. */
  vestsAt: Date | null;
}

/**
 * One member's ledger, newest first, keyset-paginated on (member_id, id DESC) — the
 * point_transactions_member_id_idx index — so page 1,000 costs what page 1 costs.
 * `from`/`to` are UTC days, inclusive.
 */
export async function listMemberHistory(
  ex: Executor,
  memberId: number,
  filter: HistoryFilter,
  limit = HISTORY_PAGE_SIZE,
): Promise<{ items: HistoryRow[]; nextCursor: number | null }> {
  const t = pointTransactions;
  const conditions = [eq(t.memberId, memberId)];
  if (filter.cursor) conditions.push(lt(t.id, filter.cursor));
  if (filter.type) conditions.push(inArray(t.type, [filter.type]));
  if (filter.from) conditions.push(gte(t.occurredAt, new Date(`${filter.from}T00:00:00Z`)));
  if (filter.to) conditions.push(lt(t.occurredAt, new Date(Date.parse(`${filter.to}T00:00:00Z`) + 86_400_000)));
  const rows = await ex
    .select({
      id: t.id,
      type: t.type,
      amount: t.amount,
      multiplier: t.multiplier,
      referenceType: t.referenceType,
      referenceId: t.referenceId,
      description: t.description,
      occurredAt: t.occurredAt,
      expiresAt: t.expiresAt,
      remaining: t.remaining,
      vestsAt: t.vestsAt,
    })
    .from(t)
    .where(and(...conditions))
    .orderBy(desc(t.id))
    .limit(limit + 1);
  const items = rows.slice(0, limit).map((r) => ({ ...r, multiplier: Number(r.multiplier) }));
  return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.id : null };
}
