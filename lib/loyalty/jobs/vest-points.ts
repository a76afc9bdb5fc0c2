import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { notifyMembersChanged } from "../ledger/members-changed";

export interface VestSummary {
  lotsVested: number;
  pointsVested: number;
  membersAffected: number;
}

/**
 * The vesting job. A pending lot is redeemable from its `vests_at` on whatever this job does (every
 * reader compares with its clock); the job records each lot that has vested in `lot_vestings` once
 * (the points it had left then), which is what tells the member and, later, other systems, and drops
 * the members' cached summaries. Set-based and idempotent: one INSERT … SELECT per batch over
 * point_transactions_pending_lots_idx, from a day before the latest vesting recorded (lots always
 * vest after they were written, so none is left behind), ON CONFLICT DO NOTHING.
 */
export async function vestPoints(db: Db, options: { now: Date; batchSize?: number }): Promise<VestSummary> {
  const batchSize = options.batchSize ?? 5000;
  const now = options.now.toISOString();
  const members = new Set<number>();
  let lotsVested = 0;
  let pointsVested = 0;
  for (;;) {
    const rows = await queryRows<{ member_id: string | number; points: string | number }>(
      db,
      sql`WITH since AS (SELECT coalesce(max(vested_at) - interval '1 day', '-infinity'::timestamptz) AS t FROM lot_vestings),
          due AS (
            SELECT t.id, t.member_id, t.remaining, t.vests_at FROM point_transactions t, since
            WHERE t.vests_at > since.t AND t.vests_at <= ${now}::timestamptz
              AND NOT EXISTS (SELECT 1 FROM lot_vestings v WHERE v.lot_id = t.id)
            ORDER BY t.vests_at, t.id
            LIMIT ${batchSize}
          )
          INSERT INTO lot_vestings (lot_id, member_id, points, vested_at, recorded_at)
          SELECT id, member_id, coalesce(remaining, 0), vests_at, ${now}::timestamptz FROM due
          ON CONFLICT DO NOTHING
          RETURNING member_id, points`,
    );
    for (const r of rows) {
      members.add(Number(r.member_id));
      pointsVested += Number(r.points);
    }
    lotsVested += rows.length;
    if (rows.length > 0) await notifyMembersChanged([...new Set(rows.map((r) => Number(r.member_id)))]);
    if (rows.length < batchSize) break;
  }
  return { lotsVested, pointsVested, membersAffected: members.size };
}
