import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { notifyMembersChanged } from "../ledger/members-changed";

export interface HoldExpirySummary {
  holdsExpired: number;
  pointsReleased: number;
  membersAffected: number;
}

/**
 * The hold-expiry job. A hold past its `expires_at` holds nothing whatever this job does (every
 * reader compares with its clock, docs/ledger.md Holds); the job records each lapse once
 * (`expiry_recorded_at`), which is what sends `hold.expired` through the outbox trigger and drops
 * the members' cached summaries. Set-based and idempotent: one UPDATE per batch over
 * point_holds_unrecorded_expiry_idx, claimed FOR UPDATE SKIP LOCKED so it never waits on a capture
 * or void holding the row (those lock the balance row, then the hold; this takes only holds, so no
 * lock cycle), and the row it skipped is re-checked by the next run. A hold captured or voided
 * meanwhile is no longer active and is left alone.
 */
export async function expireHolds(db: Db, options: { now: Date; batchSize?: number }): Promise<HoldExpirySummary> {
  const batchSize = options.batchSize ?? 5000;
  const now = options.now.toISOString();
  const members = new Set<number>();
  let holdsExpired = 0;
  let pointsReleased = 0;
  for (;;) {
    const rows = await queryRows<{ member_id: string | number; points: string | number }>(
      db,
      sql`WITH due AS (
            SELECT id FROM point_holds
            WHERE status = 'active' AND expiry_recorded_at IS NULL AND expires_at <= ${now}::timestamptz
            ORDER BY expires_at, id
            LIMIT ${batchSize}
            FOR UPDATE SKIP LOCKED
          )
          UPDATE point_holds h SET expiry_recorded_at = ${now}::timestamptz
          FROM due WHERE h.id = due.id
          RETURNING h.member_id, h.points`,
    );
    for (const r of rows) {
      members.add(Number(r.member_id));
      pointsReleased += Number(r.points);
    }
    holdsExpired += rows.length;
    if (rows.length > 0) await notifyMembersChanged([...new Set(rows.map((r) => Number(r.member_id)))]);
    if (rows.length < batchSize) break;
  }
  return { holdsExpired, pointsReleased, membersAffected: members.size };
}
