import { sql } from "drizzle-orm";
import { bigint, boolean, check, index, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { tierCode } from "./program";

export const members = pgTable(
  "members",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    externalId: text().notNull().unique(),
    email: text(),
    name: text(),
    tier: tierCode().notNull().default("bronze"),
    /** End of the member's tier grace, set by the tier job's first review below the tier's threshold (docs/ledger.md). */
    tierGraceEndsAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** Set by an erasure (docs/privacy.md): external_id is then the tombstone erased:<id>, email and name null. */
    erasedAt: timestamp({ withTimezone: true }),
    /**
     * HMAC-SHA256 of the external id the member had before its erasure, keyed from AUTH_SECRET
     * (lib/privacy/erased-id-digest.ts): a repeated erasure naming that id finds the member and
     * answers the first erasure, while the id itself is gone.
     */
    erasedIdDigest: text(),
    /** The member's referral code (docs/ledger.md, Referrals), made the first time it is asked for; never changed. */
    referralCode: text().unique(),
  },
  (t) => [
    // Support search is a case-insensitive prefix search: text_pattern_ops lets LIKE 'abc%' use the index.
    index("members_email_lower_idx").using("btree", sql`lower(${t.email}) text_pattern_ops`),
    index("members_name_lower_idx").using("btree", sql`lower(${t.name}) text_pattern_ops`),
    check("members_external_id_length", sql`char_length(${t.externalId}) between 1 and 200`),
    // Tier recalculation visits non-bronze members even without recent spend (they may decay).
    index("members_non_bronze_idx")
      .on(t.id)
      .where(sql`${t.tier} <> 'bronze'`),
    // A repeated erasure request finds the erased member by the digest of the id it named.
    index("members_erased_id_digest_idx")
      .on(t.erasedIdDigest)
      .where(sql`${t.erasedIdDigest} is not null`),
  ],
);

/**
 * A member's cached figures: balance, lifetime totals and live tier spend, always changed in the
 * same transaction as the ledger rows that explain them. They live in one row, so a batch of
 * accruals updates one row per member; and no index covers a column that accrual changes, so those
 * updates stay HOT (heap-only: no index entry written) where the page has room (fillfactor 90, set
 * in drizzle/0006). The row also holds the head of the member's ledger hash chain (chain_seq,
 * chain_head; drizzle/0015), moved only by ledger_append and a trigger (drizzle/0028), so not part
 * of this schema.
 */
export const pointBalances = pgTable(
  "point_balances",
  {
    memberId: bigint({ mode: "number" })
      .primaryKey()
      .references(() => members.id),
    availablePoints: bigint({ mode: "number" }).notNull().default(0),
    /** Lifetime points earned, net of refunds (see rules/totals.ts). */
    totalEarned: bigint({ mode: "number" }).notNull().default(0),
    /** Lifetime points redeemed, net of reversed redemptions. */
    totalRedeemed: bigint({ mode: "number" }).notNull().default(0),
    /** Purchase spend (minor units) in the rolling 12 months: added to live by accrual, rebuilt by the tier job. */
    tierSpend12m: bigint("tier_spend_12m", { mode: "number" }).notNull().default(0),
    /**
     * tier_spend_12m <> 0, stored. The tier job's partial index is defined on it, not on the spend
     * itself: an index predicate over tier_spend_12m would make every purchase's balance update a
     * non-HOT one (two index entries per update); this flag only changes when spend starts or ends.
     */
    hasTierSpend: boolean().generatedAlwaysAs(sql`tier_spend_12m <> 0`),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  // Tier recalculation must find members whose spend is leaving the window without a full scan.
  (t) => [
    index("point_balances_tier_spend_idx")
      .on(t.memberId)
      .where(sql`${t.hasTierSpend}`),
  ],
);

export type Member = typeof members.$inferSelect;
export type NewMember = typeof members.$inferInsert;
export type PointBalance = typeof pointBalances.$inferSelect;
