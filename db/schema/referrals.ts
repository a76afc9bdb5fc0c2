import { sql } from "drizzle-orm";
import { bigint, check, index, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { members } from "./members";
import { pointTransactions } from "./ledger";

export const REFERRAL_STATUSES = ["pending", "rewarded", "refused", "reversed"] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];
export const REFERRAL_REFUSALS = ["self_referral", "already_member", "monthly_limit"] as const;
export type ReferralRefusal = (typeof REFERRAL_REFUSALS)[number];
export type ReferralSource = "signup" | "purchase";

/**
 * One record per referee (docs/ledger.md, Referrals): who referred them, how, and what came of it.
 * Changed only in the ledger's transactions, under the referee's balance lock.
 */
export const referrals = pgTable(
  "referrals",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    referrerMemberId: bigint({ mode: "number" })
      .notNull()
      .references(() => members.id),
    refereeMemberId: bigint({ mode: "number" })
      .notNull()
      .unique()
      .references(() => members.id),
    /** The code as used (the referrer's). */
    code: text().notNull(),
    source: text().$type<ReferralSource>().notNull(),
    status: text().$type<ReferralStatus>().notNull(),
    refusalReason: text().$type<ReferralRefusal>(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** The referee's first qualifying purchase (set when rewarded or refused monthly_limit). */
    purchaseTransactionId: bigint({ mode: "number" }).references(() => pointTransactions.id),
    rewardedAt: timestamp({ withTimezone: true }),
    /** The reward rows (null when that side's setting was 0). */
    referrerTransactionId: bigint({ mode: "number" }).references(() => pointTransactions.id),
    refereeTransactionId: bigint({ mode: "number" }).references(() => pointTransactions.id),
    referrerPoints: bigint({ mode: "number" }),
    refereePoints: bigint({ mode: "number" }),
    reversedAt: timestamp({ withTimezone: true }),
    /** What the reversals took back (never more than the member's balance). */
    referrerPointsReversed: bigint({ mode: "number" }),
    refereePointsReversed: bigint({ mode: "number" }),
  },
  (t) => [
    check("referrals_status", sql`${t.status} in ('pending', 'rewarded', 'refused', 'reversed')`),
    check("referrals_source", sql`${t.source} in ('signup', 'purchase')`),
    check(
      "referrals_refusal",
      sql`(${t.status} = 'refused') = (${t.refusalReason} is not null)
          and (${t.refusalReason} is null or ${t.refusalReason} in ('self_referral', 'already_member', 'monthly_limit'))`,
    ),
    // The monthly limit counts a referrer's rewarded referrals by rewarded_at; the staff page lists them.
    index("referrals_referrer_idx").on(t.referrerMemberId, t.rewardedAt),
  ],
);

export type Referral = typeof referrals.$inferSelect;
