import { and, eq, gt, sql } from "drizzle-orm";
import { queryRows, type Executor } from "@/db/client";
import { pointHolds, type PointHold } from "@/db/schema";

/** A member's holds that are active and not past their expiry at `now` (point_holds_member_active_idx). */
export async function liveHolds(ex: Executor, memberId: number, now: Date): Promise<PointHold[]> {
  return ex
    .select()
    .from(pointHolds)
    .where(and(eq(pointHolds.memberId, memberId), eq(pointHolds.status, "active"), gt(pointHolds.expiresAt, now)))
    .orderBy(pointHolds.expiresAt, pointHolds.id);
}

/** Points a member's live holds reserve at `now`. */
export async function heldPointsOf(ex: Executor, memberId: number, now: Date): Promise<number> {
  const [row] = await queryRows<{ points: string | number }>(
    ex,
    sql`SELECT coalesce(sum(points), 0) AS points FROM point_holds
        WHERE member_id = ${memberId} AND status = 'active' AND expires_at > ${now.toISOString()}::timestamptz`,
  );
  return Number(row?.points ?? 0);
}

export async function findHoldByReference(ex: Executor, referenceId: string): Promise<PointHold | null> {
  const [row] = await ex.select().from(pointHolds).where(eq(pointHolds.referenceId, referenceId)).limit(1);
  return row ?? null;
}

export async function getHold(ex: Executor, id: number): Promise<PointHold | null> {
  const [row] = await ex.select().from(pointHolds).where(eq(pointHolds.id, id)).limit(1);
  return row ?? null;
}
