import type { TransactionType } from "@/db/schema";

/**
 * How a ledger row moves point_balances.total_earned and total_redeemed. Earned is net of refunds and
 * reversals of earns; redeemed is net of reversed redemptions; adjustments and expiries count in
 * neither, so that balance = earned − redeemed − expired + adjustments (± reversals of adjustments).
 * verifyLedger recomputes the totals with this same rule.
 */
export function totalsDelta(type: TransactionType, amount: number, relatedType: TransactionType | null = null): { earned: number; redeemed: number } {
  if (type === "earn") return { earned: amount, redeemed: 0 };
  if (type === "redeem") return { earned: 0, redeemed: -amount };
  if (type === "reverse" && relatedType === "earn") return { earned: amount, redeemed: 0 };
  if (type === "reverse" && relatedType === "redeem") return { earned: 0, redeemed: -amount };
  return { earned: 0, redeemed: 0 };
}
