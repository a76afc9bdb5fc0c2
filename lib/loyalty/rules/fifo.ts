/** An open lot as the FIFO rules see it. */
export interface LotState {
  id: number;
  expiresAt: Date;
  remaining: number;
  /** A purchase's lot in its return window: pending, not redeemable, until this instant. */
  vestsAt?: Date | null;
}

export interface Allocation {
  lotId: number;
  points: number;
}

/** Lots in consumption order: soonest expiry first, then oldest id. */
export function compareLots(a: Pick<LotState, "id" | "expiresAt">, b: Pick<LotState, "id" | "expiresAt">): number {
  return a.expiresAt.getTime() - b.expiresAt.getTime() || a.id - b.id;
}

export function isExpired(lot: Pick<LotState, "expiresAt">, now: Date): boolean {
  return lot.expiresAt.getTime() <= now.getTime();
}

/** Pending: still in its purchase's return window at `now` (docs/ledger.md, Pending points). */
export function isPending(lot: Pick<LotState, "vestsAt">, now: Date): boolean {
  return lot.vestsAt != null && lot.vestsAt.getTime() > now.getTime();
}

/** Redeemable at `now`: vested and not past its expiry. */
export function isRedeemable(lot: Pick<LotState, "expiresAt" | "vestsAt">, now: Date): boolean {
  return !isExpired(lot, now) && !isPending(lot, now);
}

/**
 * Takes `points` from the lots, soonest-expiring first. For a redemption, lots whose expiry has
 * passed are skipped (never redeemable, even before the expiry job ran), and so are pending lots;
 * debits that may not be refused (refunds, reversals, staff adjustments) pass `includeExpired` and
 * take from any open lot, so that the open lots always add up to the balance. `preferLotId` is consumed first (a refund takes
 * back its own purchase's points before any other's).
 */
export function allocateFifo(
  lots: readonly LotState[],
  points: number,
  options: { now: Date; includeExpired?: boolean; preferLotId?: number },
): { allocations: Allocation[]; shortfall: number } {
  if (!Number.isSafeInteger(points) || points < 0) throw new RangeError(`points must be a non-negative integer, got ${points}`);
  const eligible = lots
    .filter((lot) => lot.remaining > 0 && (options.includeExpired || isRedeemable(lot, options.now)))
    .sort((a, b) => {
      if (a.id === options.preferLotId) return -1;
      if (b.id === options.preferLotId) return 1;
      return compareLots(a, b);
    });
  const allocations: Allocation[] = [];
  let left = points;
  for (const lot of eligible) {
    if (left === 0) break;
    const take = Math.min(left, lot.remaining);
    allocations.push({ lotId: lot.id, points: take });
    left -= take;
  }
  return { allocations, shortfall: left };
}

/** Points a member can redeem now (holds aside): open lots that are vested and whose expiry has not passed. */
export function unexpiredPoints(lots: readonly LotState[], now: Date): number {
  return lots.reduce((sum, lot) => (lot.remaining > 0 && isRedeemable(lot, now) ? sum + lot.remaining : sum), 0);
}

/** Points of open lots still pending at `now`. */
export function pendingPoints(lots: readonly LotState[], now: Date): number {
  return lots.reduce((sum, lot) => (lot.remaining > 0 && isPending(lot, now) ? sum + lot.remaining : sum), 0);
}

/**
 * A credit first pays back an outstanding negative balance, so that the open lots always add up to
 * max(0, balance). Returns what the credit's portions keep, in the order given (callers pass them in
 * FIFO order: the debt is repaid from the soonest-expiring portion first).
 */
export function repayDebtFrom(portions: readonly number[], balanceBefore: number): { kept: number[]; debtLeft: number } {
  let debt = Math.max(0, -balanceBefore);
  const kept = portions.map((portion) => {
    const take = Math.min(debt, portion);
    debt -= take;
    return portion - take;
  });
  return { kept, debtLeft: debt };
}
