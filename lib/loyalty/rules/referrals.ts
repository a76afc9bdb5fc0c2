import type { ReferralRefusal } from "@/db/schema/referrals";

/**
 * Referral rules (docs/ledger.md, Referrals), pure: the code's alphabet and shape, the refusals at
 * attribution, the refund window and what a reversal of a reward takes back.
 */

/** No 0/O, 1/I/L: a code read aloud or copied by hand is not mistaken for another. */
export const REFERRAL_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
export const REFERRAL_CODE_LENGTH = 8;
const CODE_PATTERN = new RegExp(`^[${REFERRAL_CODE_ALPHABET}]{${REFERRAL_CODE_LENGTH}}$`);

/** A code from the alphabet, `randomInt(n)` giving a uniform integer in [0, n) (crypto.randomInt at the edge). */
export function makeReferralCode(randomInt: (n: number) => number): string {
  let code = "";
  for (let i = 0; i < REFERRAL_CODE_LENGTH; i++) code += REFERRAL_CODE_ALPHABET[randomInt(REFERRAL_CODE_ALPHABET.length)];
  return code;
}

/** Codes are read trimmed and upper-cased; null when what is left cannot be a code. */
export function normalizeReferralCode(input: string): string | null {
  const code = input.trim().toUpperCase();
  return CODE_PATTERN.test(code) ? code : null;
}

export interface AttributionFacts {
  refereeId: number;
  referrerId: number;
  /** Lower-cased emails of each member and of the sign-in accounts linked to it. */
  refereeEmails: readonly string[];
  referrerEmails: readonly string[];
  /** By sign-up: the member existed before the request. */
  existedBefore: boolean;
  /** The referee has a ledger row before the attribution (for a purchase: before that purchase). */
  hadLedgerRows: boolean;
}

/** Why an attribution is refused, in the documented order; null when it stands (pending). */
export function attributionRefusal(f: AttributionFacts): ReferralRefusal | null {
  if (f.refereeId === f.referrerId) return "self_referral";
  const theirs = new Set(f.referrerEmails.map((e) => e.trim().toLowerCase()).filter((e) => e !== ""));
  if (f.refereeEmails.some((e) => theirs.has(e.trim().toLowerCase()))) return "self_referral";
  if (f.existedBefore || f.hadLedgerRows) return "already_member";
  return null;
}

/** Start of the UTC calendar month of `at`: the monthly limit's period. */
export function utcMonthStart(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
}

/** The limit is reached when the referrer already has `limit` rewarded referrals this month (0 = none rewarded). */
export function monthlyLimitReached(rewardedThisMonth: number, limit: number): boolean {
  return rewardedThisMonth >= limit;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** A refund at most `windowDays` days after the purchase (inclusive) reverses the rewards; 0 = never. */
export function refundWithinWindow(purchaseAt: Date, refundAt: Date, windowDays: number): boolean {
  return windowDays > 0 && refundAt.getTime() - purchaseAt.getTime() <= windowDays * DAY_MS;
}

/**
 * What the reversal of a reward takes back: the reward less what its lot already lost to expiry,
 * and never more than the member's balance (a referral reversal makes no debt: points already spent
 * stay spent).
 */
export function rewardReversalPoints(reward: number, lostToExpiry: number, balance: number): number {
  return Math.max(0, Math.min(reward - lostToExpiry, balance));
}

/** What an event's result says about a referral it decided (absent when it decided none). */
export interface ReferralOutcome {
  status: "pending" | "rewarded" | "refused" | "reversed" | "unknown_code";
  reason?: ReferralRefusal;
  /** Signed points booked for each side by this event (a reversal's are negative). */
  referrerPoints?: number;
  refereePoints?: number;
  /** A refund after the window: the rewards stay. */
  kept?: true;
}
