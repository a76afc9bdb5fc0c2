import type { Executor } from "@/db/client";
import { liveHolds } from "@/db/queries/holds";
import { openLots } from "@/db/queries/lots";
import { isExpired, pendingPoints, type LotState } from "../rules/fifo";
import { heldPoints, type HoldState } from "../rules/holds";

/**
 * What a member can use now, the one figure of docs/ledger.md that the member summary and every
 * answer (redemptions, holds and captures, transfers, adjustments, reversals) report as
 * `availablePoints`: the balance less open points past their expiry (not yet expired by the job),
 * less the points live holds reserve, less pending points.
 */
export function availableOf(balance: number, lots: readonly LotState[], holds: readonly HoldState[], now: Date): number {
  const pastDue = lots.reduce((sum, lot) => (lot.remaining > 0 && isExpired(lot, now) ? sum + lot.remaining : sum), 0);
  return balance - pastDue - heldPoints(holds, now) - pendingPoints(lots, now);
}

/** availableOf with the member's open lots and live holds read now (inside the caller's transaction, after its writes). */
export async function availableNow(ex: Executor, memberId: number, balance: number, now: Date): Promise<number> {
  const [lots, holds] = await Promise.all([openLots(ex, [memberId]), liveHolds(ex, memberId, now)]);
  return availableOf(balance, lots, holds, now);
}
