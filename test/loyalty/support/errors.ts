import { isLoyaltyError, type LoyaltyError } from "@/lib/loyalty/errors";

/** The LoyaltyError a promise rejects with (fails the test if it resolves or throws something else). */
export async function loyaltyErrorOf(promise: Promise<unknown>): Promise<LoyaltyError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isLoyaltyError(error)) throw new Error(`expected a LoyaltyError, got ${error === undefined ? "success" : String(error)}`);
  return error;
}
