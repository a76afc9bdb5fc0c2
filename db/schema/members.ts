import { sql } from "drizzle-orm";
import { bigint, check, index, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { tierCode } from "./program";

export const members = pgTable(
  "members",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    externalId: text().notNull().unique(),
    email: text(),
    name: text(),
    tier: tierCode().notNull().default("bronze"),
    totalEarned: bigint({ mode: "number" }).notNull().default(0),
    totalRedeemed: bigint({ mode: "number" }).notNull().default(0),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Support search is a case-insensitive prefix search: text_pattern_ops lets LIKE 'abc%' use the index.
    index("members_email_lower_idx").using("btree", sql`lower(${t.email}) text_pattern_ops`),
    index("members_name_lower_idx").using("btree", sql`lower(${t.name}) text_pattern_ops`),
    check("members_external_id_length", sql`char_length(${t.externalId}) between 1 and 200`),
    // Tier recalculation visits non-bronze members even without recent spend (they may decay).
    index("members_non_bronze_idx").on(t.id).where(sql`${t.tier} <> 'bronze'`),
  ],
);

/** The cached balance: always changed in the same transaction as the ledger row that explains it. */
export const pointBalances = pgTable(
  "point_balances",
  {
    memberId: bigint({ mode: "number" })
      .primaryKey()
      .references(() => members.id),
    availablePoints: bigint({ mode: "number" }).notNull().default(0),
    /** Purchase spend (minor units) in the rolling 12 months, as of the last tier recalculation. */
    tierSpend12m: bigint("tier_spend_12m", { mode: "number" }).notNull().default(0),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  // Tier recalculation must find members whose spend is leaving the window without a full scan.
  (t) => [index("point_balances_tier_spend_idx").on(t.memberId).where(sql`${t.tierSpend12m} <> 0`)],
);

export type Member = typeof members.$inferSelect;
export type NewMember = typeof members.$inferInsert;
export type PointBalance = typeof pointBalances.$inferSelect;
