import { LoyaltyError } from "../errors";

export const MAX_REASON_LENGTH = 1000;

/** Staff changes to points always carry a reason, stored on the row and in the audit log. */
export function checkReason(reason: string | undefined): string {
  const trimmed = (reason ?? "").trim();
  if (trimmed.length === 0 || trimmed.length > MAX_REASON_LENGTH) {
    throw new LoyaltyError("validation_failed", `A reason of 1 to ${MAX_REASON_LENGTH} characters is required.`, { field: "reason" });
  }
  return trimmed;
}
