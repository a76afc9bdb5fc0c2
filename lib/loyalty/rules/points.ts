/**
 * Point arithmetic. Everything is integer: multipliers are carried as ten-thousandths (1.5 → 15_000)
 * and every division floors explicitly. BigInt is used wherever a product can pass 2^53.
 */

export const MULTIPLIER_SCALE = 10_000;
/** numeric(6,4) on point_transactions: the largest multiplier a row can carry. */
export const MAX_STORED_MULTIPLIER_TT = 999_999;

/**
 * A decimal multiplier as read from a numeric(4,2)/numeric(6,4) column into a JS number, in
 * ten-thousandths. Rounding here only undoes the binary representation of an exact decimal
 * (1.15 → 1.149999…); it is not arithmetic on points.
 */
export function toTenThousandths(multiplier: number): number {
  if (!Number.isFinite(multiplier) || multiplier <= 0) throw new RangeError(`Invalid multiplier ${multiplier}`);
  return Math.round(multiplier * MULTIPLIER_SCALE);
}

export function fromTenThousandths(tt: number): number {
  return tt / MULTIPLIER_SCALE;
}

/**
 * Product of two multipliers in ten-thousandths, floored. Two 2-decimal multipliers multiply exactly;
 * the product is capped at the largest value the ledger row can store (99.9999, only reachable as 10 × 10).
 */
export function combineMultipliers(aTt: number, bTt: number): number {
  const product = (BigInt(aTt) * BigInt(bTt)) / BigInt(MULTIPLIER_SCALE);
  return Number(product > BigInt(MAX_STORED_MULTIPLIER_TT) ? BigInt(MAX_STORED_MULTIPLIER_TT) : product);
}

/** Base points of a purchase: whole currency units only (12_345 cents → 123 units). */
export function purchaseBasePoints(amountCents: number, pointsPerCurrencyUnit: number): number {
  assertNonNegativeInteger(amountCents, "amountCents");
  assertNonNegativeInteger(pointsPerCurrencyUnit, "pointsPerCurrencyUnit");
  return Number((BigInt(amountCents) / 100n) * BigInt(pointsPerCurrencyUnit));
}

/** floor(points × multiplier). */
export function applyMultiplier(points: number, multiplierTt: number): number {
  assertNonNegativeInteger(points, "points");
  assertNonNegativeInteger(multiplierTt, "multiplierTt");
  return Number((BigInt(points) * BigInt(multiplierTt)) / BigInt(MULTIPLIER_SCALE));
}

/** Points of a purchase that a cumulative refunded amount corresponds to: floor(points × refunded / amount). */
export function refundedPointsFor(originalPoints: number, originalAmountCents: number, cumulativeRefundCents: number): number {
  assertNonNegativeInteger(originalPoints, "originalPoints");
  assertNonNegativeInteger(cumulativeRefundCents, "cumulativeRefundCents");
  if (!Number.isInteger(originalAmountCents) || originalAmountCents <= 0) throw new RangeError("originalAmountCents must be > 0");
  if (cumulativeRefundCents > originalAmountCents) throw new RangeError("refund exceeds the purchase");
  return Number((BigInt(originalPoints) * BigInt(cumulativeRefundCents)) / BigInt(originalAmountCents));
}

/**
 * Points one refund takes back. Computed on the cumulative refunded amount, so that however a
 * purchase is refunded in parts, the parts sum to exactly the points of the refunded total and the
 * whole purchase refunded takes back exactly its points, never more. What the purchase has already
 * given back (`takenBeforePoints`: earlier refunds, a staff reversal, and points its lot lost to
 * expiry) counts first, so expired points are never taken twice. Without it, only the earlier
 * refunds have taken anything.
 */
export function refundPoints(input: {
  originalPoints: number;
  originalAmountCents: number;
  refundedBeforeCents: number;
  refundCents: number;
  takenBeforePoints?: number;
}): number {
  const { originalPoints, originalAmountCents, refundedBeforeCents, refundCents } = input;
  assertNonNegativeInteger(refundCents, "refundCents");
  const taken = input.takenBeforePoints ?? refundedPointsFor(originalPoints, originalAmountCents, refundedBeforeCents);
  assertNonNegativeInteger(taken, "takenBeforePoints");
  const after = refundedPointsFor(originalPoints, originalAmountCents, refundedBeforeCents + refundCents);
  return Math.max(0, after - taken);
}

function assertNonNegativeInteger(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
}
