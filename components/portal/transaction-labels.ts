import type { TransactionType } from "@/db/schema";

export const TYPE_LABELS: Record<TransactionType, string> = {
  earn: "Earned",
  redeem: "Redeemed",
  expire: "Expired",
  adjust: "Adjustment",
  reverse: "Reversal",
};
