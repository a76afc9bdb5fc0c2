/**
 * Domain errors carry a stable code; one mapping at the edge (HTTP, form state, CLI) turns them
 * into a response. Anything that is not a LoyaltyError is a bug and is never shown raw.
 */
export const ERROR_STATUS = {
  validation_failed: 400,
  invalid_json: 400,
  unauthorized: 401,
  forbidden: 403,
  member_not_found: 404,
  transaction_not_found: 404,
  campaign_not_found: 404,
  reward_not_found: 404,
  hold_not_found: 404,
  not_found: 404,
  insufficient_points: 409,
  negative_balance: 409,
  duplicate_reference: 409,
  reference_conflict: 409,
  idempotency_conflict: 409,
  already_reversed: 409,
  hold_expired: 409,
  out_of_stock: 409,
  conflict: 409,
  unprocessable: 422,
  original_not_found: 422,
  refund_exceeds_purchase: 422,
  limit_exceeded: 422,
  reward_unavailable: 422,
  campaign_started: 422,
  approval_required: 422,
  rate_limited: 429,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class LoyaltyError extends Error {
  readonly code: ErrorCode;
  readonly field?: string;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: { field?: string; details?: Record<string, unknown> } = {}) {
    super(message);
    this.name = "LoyaltyError";
    this.code = code;
    this.field = options.field;
    this.details = options.details;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export function isLoyaltyError(error: unknown): error is LoyaltyError {
  return error instanceof LoyaltyError;
}
