import type { FormState } from "./form-state";

export type RedeemField = "mode" | "points" | "rewardId" | "idempotencyKey";

export type RedeemState = FormState<
  RedeemField,
  { transactionId: number; points: number; availablePoints: number; duplicate: boolean; rewardName?: string; couponCode?: string }
>;
