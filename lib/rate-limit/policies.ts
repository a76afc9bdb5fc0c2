import type { RatePolicy } from "./rate-limits";

/**
 * The budgets of the actions a person or a client can repeat cheaply but that cost us (an email,
 * a job over every member, a new account). Each is per key: an address, a user, an API key.
 */

/** Per client address: a shop's NAT still signs up a queue of customers, a script cannot fill the table. */
export const SIGN_UP_POLICY: RatePolicy = { name: "signup", points: 10, durationSeconds: 60 * 60 };

/** Per account, on top of the one-a-minute rule of resendMemberLink: a mailbox is not flooded. */
export const RESEND_LINK_POLICY: RatePolicy = { name: "resend", points: 5, durationSeconds: 60 * 60 };

/** Per client address, on top of the one-a-minute rule per account: one client cannot mail many inboxes. */
export const PASSWORD_RESET_POLICY: RatePolicy = { name: "pwreset", points: 5, durationSeconds: 60 * 60 };

/** Per staff user: a recalculation reads every member (minutes on a million), so a few per quarter hour. */
export const TIER_RECALCULATION_POLICY: RatePolicy = { name: "tiers", points: 3, durationSeconds: 15 * 60 };

/** What a person is told when a form's budget is spent. */
export function tooManyAttempts(retryAfterSeconds: number): string {
  const wait = retryAfterSeconds >= 90 ? `${Math.ceil(retryAfterSeconds / 60)} minutes` : `${retryAfterSeconds} seconds`;
  return `Too many attempts. Please try again in ${wait}.`;
}

/** An API key's budget: its own limit, or the program default (API_KEY_RATE_LIMIT), per second. */
export function apiKeyPolicy(limitPerSecond: number): RatePolicy {
  return { name: "apikey", points: limitPerSecond, durationSeconds: 1 };
}
