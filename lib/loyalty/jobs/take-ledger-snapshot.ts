import { desc, sql } from "drizzle-orm";
import { queryRows, type Db, type Executor } from "@/db/client";
import { ledgerSnapshots, type LedgerSnapshot } from "@/db/schema";

export interface LedgerSnapshotResult {
  /** False when a snapshot for this `now` already existed (a rerun of the same job). */
  created: boolean;
  takenAt: string;
  liability: number;
  members: number;
}

const n = (v: unknown) => Number(v ?? 0);

/**
 * The one full scan of balances and members, run nightly so reports read a row instead.
 *
 * `taken_at` must be an instant such that the snapshot sees every ledger row with created_at at
 * or before it: created_at is its transaction's start (now()), so a writer still in flight has
 * rows stamped in the past that this snapshot cannot see. The cut is therefore placed just before
 * the oldest open transaction, read BEFORE our snapshot begins (whatever starts later has a later
 * stamp). Rows the snapshot sees after the cut are subtracted, the same arithmetic as liabilityAt.
 */
export async function takeLedgerSnapshot(db: Db, { now }: { now: Date }): Promise<LedgerSnapshotResult> {
  const [existing] = await db
    .select()
    .from(ledgerSnapshots)
    .where(sql`${ledgerSnapshots.requestedAt} = ${now.toISOString()}::timestamptz`);
  if (existing) return summary(existing, false);

  const [open] = await queryRows<{ cut: string }>(
    db,
    sql`SELECT least(${now.toISOString()}::timestamptz,
                     clock_timestamp(),
                     (SELECT min(xact_start) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL) - interval '1 microsecond'
            )::text AS cut`,
  );
  // Kept as text: timestamptz has microseconds, a Date would round the cut.
  const cutText = String(open!.cut);

  const row = await db.transaction(
    async (tx) => {
      const [totals] = await queryRows<{ balances: unknown; after: unknown }>(
        tx,
        sql`SELECT (SELECT coalesce(sum(available_points), 0) FROM point_balances) AS balances,
                   (SELECT coalesce(sum(amount), 0) FROM point_transactions WHERE created_at > ${cutText}::timestamptz) AS after`,
      );
      const tiers = await queryRows<{ tier: string; members: unknown }>(tx, sql`SELECT tier, count(*) AS members FROM members GROUP BY tier`);
      const tierMembers = Object.fromEntries(tiers.map((t) => [t.tier, n(t.members)]));
      const [inserted] = await tx
        .insert(ledgerSnapshots)
        .values({
          takenAt: sql`${cutText}::timestamptz`,
          requestedAt: now,
          liability: n(totals?.balances) - n(totals?.after),
          members: Object.values(tierMembers).reduce((a, b) => a + b, 0),
          tierMembers,
        })
        .onConflictDoNothing()
        .returning();
      return inserted;
    },
    { isolationLevel: "repeatable read" },
  );
  if (row) return summary(row, true);
  // A concurrent run for the same `now` won the insert.
  const [winner] = await db
    .select()
    .from(ledgerSnapshots)
    .where(sql`${ledgerSnapshots.requestedAt} = ${now.toISOString()}::timestamptz`);
  return summary(winner!, false);
}

function summary(row: LedgerSnapshot, created: boolean): LedgerSnapshotResult {
  return { created, takenAt: row.takenAt.toISOString(), liability: row.liability, members: row.members };
}

/** The latest snapshot (the primary key makes this one index probe). */
export async function latestSnapshot(ex: Executor): Promise<LedgerSnapshot | undefined> {
  const [row] = await ex.select().from(ledgerSnapshots).orderBy(desc(ledgerSnapshots.takenAt)).limit(1);
  return row;
}
