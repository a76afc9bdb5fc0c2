import { and, asc, gt, lte, sql } from "drizzle-orm";
import { queryRows, type Db, type Tx } from "@/db/client";
import { applyBalanceDeltas, lockBalances } from "@/db/queries/balances";
import { insertAllocations, setLotRemaining } from "@/db/queries/lots";
import { pgArray } from "@/db/queries/pg-array";
import { pointTransactions } from "@/db/schema";
import { notifyMembersChanged } from "../ledger/members-changed";
import { RetryTransaction, withTransactionRetry } from "../ledger/transaction-retry";

export const EXPIRY_REFERENCE_TYPE = "expiry";

export interface ExpireOptions {
  now: Date;
  batchSize?: number;
  actor?: string;
  /** Book each expire row at its lot's expiry (created_at = occurred_at): the demo seed only (LedgerContext.bookAtOccurrence). */
  bookAtOccurrence?: boolean;
}

export interface ExpireSummary {
  lotsExpired: number;
  pointsExpired: number;
  membersAffected: number;
}

/**
 * How many times each lot has been expired before. A lot is normally expired once, under the
 * reference ('expiry', '<lot id>'); a lot given back by a reversed redemption after its expiry is
 * expired again as '<lot id>:2', and so on, so the reference stays unique and deterministic.
 *
 * Every expire row names its lot in related_transaction_id, so this is a probe of that index per
 * lot. (It used to join lot_allocations to the ledger on the expire type; once the ledger held a
 * few million expire rows the planner hashed all of them with a parallel scan of the whole table,
 * 3 s of every 5,000-lot batch on a 45M-row ledger.)
 */
async function priorExpiries(tx: Tx, lotIds: readonly number[]): Promise<Map<number, number>> {
  const rows = await queryRows<{ lot_id: string | number; n: string | number }>(
    tx,
    sql`SELECT related_transaction_id AS lot_id, count(*) AS n FROM point_transactions
        WHERE related_transaction_id = ANY(${pgArray(lotIds)}::bigint[]) AND type = 'expire'
        GROUP BY related_transaction_id`,
  );
  return new Map(rows.map((r) => [Number(r.lot_id), Number(r.n)]));
}

async function expireBatch(tx: Tx, now: Date, batchSize: number, actor: string, bookAtOccurrence: boolean) {
  const candidates = await tx
    .select({ id: pointTransactions.id, memberId: pointTransactions.memberId })
    .from(pointTransactions)
    .where(and(lte(pointTransactions.expiresAt, now), gt(pointTransactions.remaining, 0)))
    .orderBy(asc(pointTransactions.expiresAt), asc(pointTransactions.id))
    .limit(batchSize);
  if (candidates.length === 0) return { candidates: 0, lots: 0, points: 0, members: [] as number[] };

  // Same lock order as every other writer: balance rows by member id, then lots. Lots are read again
  // under the locks, because a redemption may have consumed them since the unlocked pick above.
  // A batch takes every past-due lot of the members it picked, not only the picked ones, and writes
  // their expire rows in lot order (docs/ledger.md, Lots): picked by expiry, a member's lots could
  // otherwise straddle two batches and a later lot that expires sooner get the earlier expire row
  // (finding F4). The members' lots come over point_transactions_open_lots_idx; a batch may so hold
  // more than batchSize lots, never more than whole members.
  const memberIds = [...new Set(candidates.map((c) => c.memberId))];
  await lockBalances(tx, memberIds);
  const lots = await tx
    .select({ id: pointTransactions.id, memberId: pointTransactions.memberId, remaining: pointTransactions.remaining, expiresAt: pointTransactions.expiresAt })
    .from(pointTransactions)
    .where(
      and(sql`${pointTransactions.memberId} = ANY(${pgArray(memberIds)}::bigint[])`, lte(pointTransactions.expiresAt, now), gt(pointTransactions.remaining, 0)),
    )
    .orderBy(asc(pointTransactions.id))
    .for("update");
  if (lots.length === 0) return { candidates: candidates.length, lots: 0, points: 0, members: [] };

  const prior = await priorExpiries(
    tx,
    lots.map((l) => l.id),
  );
  const rows = lots.map((lot) => {
    const n = prior.get(lot.id) ?? 0;
    return {
      memberId: lot.memberId,
      type: "expire" as const,
      amount: -lot.remaining!,
      referenceType: EXPIRY_REFERENCE_TYPE,
      referenceId: n === 0 ? String(lot.id) : `${lot.id}:${n + 1}`,
      relatedTransactionId: lot.id,
      createdBy: actor,
      occurredAt: lot.expiresAt!,
      ...(bookAtOccurrence ? { createdAt: lot.expiresAt! } : {}),
    };
  });
  const inserted = await tx
    .insert(pointTransactions)
    .values(rows)
    .onConflictDoNothing()
    .returning({ id: pointTransactions.id, lotId: pointTransactions.relatedTransactionId });
  if (inserted.length !== rows.length) throw new RetryTransaction("an expiry reference already exists");

  const byLot = new Map(lots.map((l) => [l.id, l]));
  await insertAllocations(
    tx,
    inserted.map((e) => ({ transactionId: e.id, lotId: e.lotId!, points: byLot.get(e.lotId!)!.remaining! })),
  );
  await setLotRemaining(tx, new Map(lots.map((l) => [l.id, 0])));
  const deltas = new Map<number, number>();
  for (const lot of lots) deltas.set(lot.memberId, (deltas.get(lot.memberId) ?? 0) - lot.remaining!);
  await applyBalanceDeltas(tx, deltas);
  return {
    candidates: candidates.length,
    lots: lots.length,
    points: lots.reduce((s, l) => s + l.remaining!, 0),
    members: [...deltas.keys()],
  };
}

/**
 * The nightly expiry job: every open lot whose expiry has passed gets one 'expire' row for its
 * remaining points, batch by batch (one transaction each, a handful of statements). Idempotent: a
 * second run finds no open past-due lots and expires nothing. Safe beside redemptions: both lock the
 * balance rows first, in member-id order, then re-read the lots.
 */
export async function expirePoints(db: Db, options: ExpireOptions): Promise<ExpireSummary> {
  const batchSize = options.batchSize ?? 5000;
  const actor = options.actor ?? "job:expire";
  const members = new Set<number>();
  let lotsExpired = 0;
  let pointsExpired = 0;
  for (;;) {
    const batch = await withTransactionRetry(() => db.transaction((tx) => expireBatch(tx, options.now, batchSize, actor, options.bookAtOccurrence === true)));
    lotsExpired += batch.lots;
    pointsExpired += batch.points;
    for (const id of batch.members) members.add(id);
    await notifyMembersChanged(batch.members);
    // A full batch may leave more behind; a batch that expired nothing means the rest went meanwhile.
    if (batch.candidates < batchSize || batch.lots === 0) break;
  }
  return { lotsExpired, pointsExpired, membersAffected: members.size };
}
