import { isPending, type LotState } from "./fifo";

/** A hold as the rules see it: points reserved until `expiresAt` (exclusive). */
export interface HoldState {
  points: number;
  expiresAt: Date;
}

export function isLive(hold: Pick<HoldState, "expiresAt">, now: Date): boolean {
  return hold.expiresAt.getTime() > now.getTime();
}

/** Points held by the holds still live at `now`. */
export function heldPoints(holds: readonly HoldState[], now: Date): number {
  return holds.reduce((sum, hold) => (isLive(hold, now) ? sum + hold.points : sum), 0);
}

/** Points of the lots redeemable now that are still unexpired at `at` (a lot expires at its expiresAt). */
function pointsOutliving(lots: readonly LotState[], now: Date, at: Date): number {
  return lots.reduce((sum, lot) => (lot.remaining > 0 && !isPending(lot, now) && lot.expiresAt.getTime() > at.getTime() ? sum + lot.remaining : sum), 0);
}

/**
 * How many points a new hold lasting until `until` can reserve. Held points must stay covered by
 * points that outlive the hold: at every instant `t` in [now, until), the lots still unexpired at
 * `t` must cover every hold live at `t`, the new one included. The cover only shrinks when a lot
 * expires, so it is checked now and at each lot expiry before `until`. A capture within the hold's
 * lifetime then always finds its points, whatever expires meanwhile. Only points redeemable now
 * count (pending points do not) (redemptions take the
 * soonest-expiring lots first, which keeps the cover; only debits that cannot be refused — refunds,
 * reversals, negative adjustments — can still take held points).
 */
export function holdablePoints(lots: readonly LotState[], holds: readonly HoldState[], now: Date, until: Date): number {
  const live = holds.filter((hold) => isLive(hold, now));
  const instants = [now, ...lots.map((l) => l.expiresAt).filter((e) => e.getTime() > now.getTime() && e.getTime() < until.getTime())];
  let holdable = Number.MAX_SAFE_INTEGER;
  for (const at of instants) {
    holdable = Math.min(holdable, pointsOutliving(lots, now, at) - heldPoints(live, at));
  }
  return Math.max(0, holdable);
}
