import type { Executor } from "@/db/client";
import { writeAudit } from "@/lib/loyalty/audit/audit-log";
import type { Budget } from "./sign-in-throttle";

export const SIGN_IN_ACTIONS = {
  success: "auth.sign_in",
  failure: "auth.sign_in_failed",
  throttled: "auth.sign_in_throttled",
} as const;

export type SignInOutcome =
  | { outcome: "success"; userId: string }
  | { outcome: "failure"; userId: string | null; secondFactor?: "missing" | "wrong" }
  | { outcome: "throttled"; userId: string | null; budget: Budget; retryAfterSeconds: number };

/**
 * One audit entry per password sign-in attempt that got past input validation. The target is the
 * account as typed (lower-cased), so guesses at unknown emails are on record too; the password
 * never is. The actor of a failure is the address, since nobody is known to be signed in.
 */
export async function auditSignIn(ex: Executor, email: string, address: string, result: SignInOutcome): Promise<void> {
  await writeAudit(ex, {
    actor: result.outcome === "success" ? `user:${result.userId}` : `address:${address}`,
    action: SIGN_IN_ACTIONS[result.outcome],
    targetType: "account",
    targetId: email.slice(0, 254),
    after: {
      address,
      userId: result.userId,
      ...(result.outcome === "throttled" ? { budget: result.budget, retryAfterSeconds: result.retryAfterSeconds } : {}),
      ...(result.outcome === "failure" && result.secondFactor ? { secondFactor: result.secondFactor } : {}),
    },
  });
}
