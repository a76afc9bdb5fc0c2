import { and, desc, eq, gte, inArray, lt, sql, type SQL } from "drizzle-orm";
import { queryRows, type Executor } from "@/db/client";
import { pointTransactions, type PointTransaction, type TransactionType } from "@/db/schema";
import { LoyaltyError } from "@/lib/loyalty/errors";
import { pgArray } from "./pg-array";

export interface ReferenceKey {
  referenceType: string;
  referenceId: string;
}

/** Ledger rows with these references (the unique index answers each pair). */
export async function findByReferences(ex: Executor, refs: readonly ReferenceKey[]): Promise<PointTransaction[]> {
  if (refs.length === 0) return [];
  return ex
    .select()
    .from(pointTransactions)
    .where(
      sql`(${pointTransactions.referenceType}, ${pointTransactions.referenceId}) IN
          (SELECT * FROM unnest(${pgArray(refs.map((r) => r.referenceType))}::text[], ${pgArray(refs.map((r) => r.referenceId))}::text[]))`,
    );
}

export async function getTransaction(ex: Executor, id: number): Promise<PointTransaction | null> {
  const [row] = await ex.select().from(pointTransactions).where(eq(pointTransactions.id, id)).limit(1);
  return row ?? null;
}

/** What a credit (a purchase, or any lot) has given back so far. */
export interface GivenBack {
  /** Cents of its refunds (not of a staff reversal): what the over-refund check and pointsFor use. */
  refundedCents: number;
  /** Cents of its refunds and reversal: what has left the tier spend. */
  removedCents: number;
  /** Points of its refunds and reversal, plus what its lot lost to expiry: never taken twice. */
  takenPoints: number;
}

/**
 * What has already been taken back from credits by refunds, reversals and the expiry job, per credit.
 * Refund and reversal rows name the purchase and expire rows their lot in related_transaction_id,
 * so this is one probe of that index per credit.
 */
export async function givenBackSoFar(ex: Executor, creditIds: readonly number[]): Promise<Map<number, GivenBack>> {
  if (creditIds.length === 0) return new Map();
  const rows = await queryRows<{ related: string | number; refunded: string | number; removed: string | number; taken: string | number }>(
    ex,
    sql`SELECT related_transaction_id AS related,
               coalesce(sum(-spend_amount) FILTER (WHERE reference_type = 'refund'), 0) AS refunded,
               coalesce(sum(-spend_amount) FILTER (WHERE type = 'reverse'), 0) AS removed,
               coalesce(sum(-amount), 0) AS taken
        FROM point_transactions
        WHERE related_transaction_id = ANY(${pgArray([...new Set(creditIds)])}::bigint[])
          AND ((type = 'reverse' AND amount <= 0) OR type = 'expire')
        GROUP BY related_transaction_id`,
  );
  return new Map(rows.map((r) => [Number(r.related), { refundedCents: Number(r.refunded), removedCents: Number(r.removed), takenPoints: Number(r.taken) }]));
}

export const MAX_PAGE_SIZE = 100;

export interface ListTransactionsInput {
  memberId: number;
  limit?: number;
  /** Opaque: base64url of the last id of the previous page. */
  cursor?: string | null;
  types?: readonly TransactionType[];
  /** Inclusive lower bound on occurredAt. */
  from?: Date;
  /** Exclusive upper bound on occurredAt. */
  to?: Date;
}

export function encodeCursor(id: number): string {
  return Buffer.from(String(id)).toString("base64url");
}

export function decodeCursor(cursor: string): number {
  const text = Buffer.from(cursor, "base64url").toString();
  const id = Number(text);
  if (!/^[1-9][0-9]{0,18}$/.test(text) || !Number.isSafeInteger(id)) {
    throw new LoyaltyError("validation_failed", "The cursor is not one this API returned.", { field: "cursor" });
  }
  return id;
}

/**
 * A member's history, newest first, keyset-paginated over (member_id, id desc), the order of the
 * index point_transactions_member_id_idx: each page is an index range scan, whatever its depth.
 */
export async function listTransactions(ex: Executor, input: ListTransactionsInput): Promise<{ items: PointTransaction[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(Math.trunc(input.limit ?? 20), 1), MAX_PAGE_SIZE);
  const conditions: SQL[] = [eq(pointTransactions.memberId, input.memberId)];
  if (input.cursor) conditions.push(lt(pointTransactions.id, decodeCursor(input.cursor)));
  if (input.types && input.types.length > 0) conditions.push(inArray(pointTransactions.type, [...input.types]));
  if (input.from) conditions.push(gte(pointTransactions.occurredAt, input.from));
  if (input.to) conditions.push(lt(pointTransactions.occurredAt, input.to));
  const rows = await ex
    .select()
    .from(pointTransactions)
    .where(and(...conditions))
    .orderBy(desc(pointTransactions.id))
    .limit(limit + 1);
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
}
