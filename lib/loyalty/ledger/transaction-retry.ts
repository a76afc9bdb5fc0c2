import { PG_DEADLOCK_DETECTED, PG_SERIALIZATION_FAILURE, pgErrorOf } from "@/db/errors";

/** Thrown inside a transaction to roll it back and run it again (e.g. a reference another transaction just took). */
export class RetryTransaction extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "RetryTransaction";
  }
}

/**
 * Runs a whole transaction again when it lost a race it cannot resolve in place. Locks are taken in
 * member-id order, so deadlocks are not expected; retrying them is a safety net, not the design.
 */
export async function withTransactionRetry<T>(run: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const code = pgErrorOf(error)?.code;
      const retryable = error instanceof RetryTransaction || code === PG_DEADLOCK_DETECTED || code === PG_SERIALIZATION_FAILURE;
      if (!retryable || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
  }
}
