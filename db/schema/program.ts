import { sql } from "drizzle-orm";
import { bigint, boolean, check, index, integer, numeric, pgEnum, pgTable, smallint, text, timestamp, unique } from "drizzle-orm/pg-core";

export const tierCode = pgEnum("tier_code", ["bronze", "silver", "gold"]);
export const TIER_CODES = tierCode.enumValues;
export type TierCode = (typeof TIER_CODES)[number];

/** Earning rules of the programme. One row (id = 1); defaults are the documented programme rules. */
export const programSettings = pgTable(
  "program_settings",
  {
    id: smallint().primaryKey().default(1),
    /** Points per whole currency unit of a purchase (100 minor units). */
    pointsPerCurrencyUnit: integer().notNull().default(1),
    referralPoints: integer().notNull().default(500),
    reviewPoints: integer().notNull().default(50),
    loginPoints: integer().notNull().default(10),
    loginStreakBonusPoints: integer().notNull().default(50),
    loginStreakLength: integer().notNull().default(7),
    expiryMonths: integer().notNull().default(12),
    /**
     * Four-eyes: what one staff member moves for one member (absolute points of their adjustments and
     * reversals, this one included) over a rolling 24 hours; above it an admin must approve.
     */
    adjustmentApprovalThreshold: integer().notNull().default(10_000),
    /** Four-eyes: the same sum for one staff member across all members over a rolling 24 hours. */
    staffDailyPointsCap: integer().notNull().default(50_000),
    /** How long a checkout hold lasts when the caller names no ttlSeconds. */
    holdTtlSeconds: integer().notNull().default(900),
    /** Return window: a purchase's points are pending this many days after it (0 = vested at once). */
    pendingDays: integer().notNull().default(0),
    /** Most points one transfer between members may move (0 = transfers off). */
    transferMaxPoints: integer().notNull().default(10_000),
    /** Most points one member may transfer away over a rolling 24 hours. */
    transferDailyMaxPoints: integer().notNull().default(20_000),
    /** Tier qualification period: the rolling spend window of the tiers, in UTC calendar months. */
    tierQualificationMonths: integer().notNull().default(12),
    /** Tier grace: a member below their tier's threshold keeps it this many days before dropping one step (0 = none). */
    tierGraceDays: integer().notNull().default(0),
    /** Referral codes (docs/ledger.md, Referrals): points for each side on the referee's first purchase. */
    referrerRewardPoints: integer().notNull().default(500),
    refereeRewardPoints: integer().notNull().default(250),
    /** A refund of the qualifying purchase at most this many days after it reverses both rewards (0 = never). */
    referralRefundWindowDays: integer().notNull().default(30),
    /** Most referrals rewarded per referrer per UTC calendar month (0 = none). */
    referralMonthlyLimit: integer().notNull().default(10),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("program_settings_single_row", sql`${t.id} = 1`),
    check("program_settings_four_eyes_limits", sql`${t.adjustmentApprovalThreshold} >= 0 and ${t.staffDailyPointsCap} >= 0`),
    check("program_settings_hold_ttl", sql`${t.holdTtlSeconds} between 60 and 604800`),
    check("program_settings_pending_days", sql`${t.pendingDays} between 0 and 365`),
    check("program_settings_transfer_limits", sql`${t.transferMaxPoints} >= 0 and ${t.transferDailyMaxPoints} >= 0`),
    check("program_settings_tier_retention", sql`${t.tierQualificationMonths} between 1 and 24 and ${t.tierGraceDays} between 0 and 365`),
    check(
      "program_settings_referrals",
      sql`${t.referrerRewardPoints} between 0 and 1000000 and ${t.refereeRewardPoints} between 0 and 1000000
          and ${t.referralRefundWindowDays} between 0 and 365 and ${t.referralMonthlyLimit} between 0 and 10000`,
    ),
  ],
);

/** Tier thresholds: spend (minor units) in the rolling 12 months. */
export const tiers = pgTable(
  "tiers",
  {
    code: tierCode().primaryKey(),
    name: text().notNull(),
    rank: smallint().notNull().unique(),
    minSpend12m: bigint("min_spend_12m", { mode: "number" }).notNull(),
    /** Tier earn bonus applied to purchase points, e.g. 1.25; 1 = no bonus. */
    earnMultiplier: numeric({ precision: 4, scale: 2, mode: "number" }).notNull().default(1),
    /** Text benefits shown to members of the tier, one line each (at most 10 of 200 characters). */
    benefits: text()
      .array()
      .notNull()
      .default(sql`'{}'`),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("tiers_min_spend_non_negative", sql`${t.minSpend12m} >= 0`),
    check("tiers_earn_multiplier_range", sql`${t.earnMultiplier} >= 1 and ${t.earnMultiplier} <= 10`),
    check("tiers_benefits_count", sql`cardinality(${t.benefits}) <= 10`),
  ],
);

export const campaignEventType = pgEnum("campaign_event_type", ["purchase", "referral", "review", "login"]);

export const campaigns = pgTable(
  "campaigns",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    name: text().notNull(),
    multiplier: numeric({ precision: 4, scale: 2, mode: "number" }).notNull(),
    startsAt: timestamp({ withTimezone: true }).notNull(),
    endsAt: timestamp({ withTimezone: true }).notNull(),
    /** IANA zone the staff member scheduled in; startsAt/endsAt are stored as instants. */
    timeZone: text().notNull().default("UTC"),
    /** Empty array = every event type. */
    eventTypes: campaignEventType()
      .array()
      .notNull()
      .default(sql`'{}'`),
    /** Empty array = every tier. */
    tiers: tierCode()
      .array()
      .notNull()
      .default(sql`'{}'`),
    /** Empty array = every line; else only the lines of these categories earn the multiplier (docs/ledger.md, Earning rules). */
    categories: text()
      .array()
      .notNull()
      .default(sql`'{}'`),
    /** Empty array = every channel; else only events from these channels. */
    channels: text()
      .array()
      .notNull()
      .default(sql`'{}'`),
    pausedAt: timestamp({ withTimezone: true }),
    archivedAt: timestamp({ withTimezone: true }),
    createdBy: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check("campaigns_multiplier_range", sql`${t.multiplier} > 1 and ${t.multiplier} <= 10`), check("campaigns_window", sql`${t.endsAt} > ${t.startsAt}`)],
);

/**
 * Earning rules (docs/ledger.md, Earning rules): a rate for the lines of some SKUs or categories (or
 * of every line), a fixed bonus, or both, under conditions (channels, minimum spend, a window). A
 * rule is never edited in force: it is retired (`retired_at`) and a new one created; a rule not yet
 * started may still be changed.
 */
export const earningRules = pgTable(
  "earning_rules",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    name: text().notNull(),
    /** Empty arrays: no SKU or category condition (the rule covers every line). */
    skus: text()
      .array()
      .notNull()
      .default(sql`'{}'`),
    categories: text()
      .array()
      .notNull()
      .default(sql`'{}'`),
    /** Empty: every channel (and events without one). */
    channels: text()
      .array()
      .notNull()
      .default(sql`'{}'`),
    /** The purchase's amountCents must be at least this. */
    minSpendCents: bigint({ mode: "number" }),
    /** Points per whole currency unit of the matching lines, instead of the programme's; 0 excludes them. */
    pointsPerCurrencyUnit: integer(),
    /** Fixed points once per purchase that has a matching line (not multiplied). */
    bonusPoints: integer(),
    startsAt: timestamp({ withTimezone: true }).notNull(),
    /** null: open-ended. */
    endsAt: timestamp({ withTimezone: true }),
    retiredAt: timestamp({ withTimezone: true }),
    createdBy: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("earning_rules_earns_something", sql`${t.pointsPerCurrencyUnit} is not null or ${t.bonusPoints} is not null`),
    check("earning_rules_rate_range", sql`${t.pointsPerCurrencyUnit} is null or ${t.pointsPerCurrencyUnit} between 0 and 1000`),
    check("earning_rules_bonus_range", sql`${t.bonusPoints} is null or ${t.bonusPoints} between 1 and 1000000`),
    check("earning_rules_min_spend", sql`${t.minSpendCents} is null or ${t.minSpendCents} >= 0`),
    check("earning_rules_window", sql`${t.endsAt} is null or ${t.endsAt} > ${t.startsAt}`),
  ],
);

export const earningCapPeriod = pgEnum("earning_cap_period", ["day", "week", "month"]);
export type EarningCapPeriod = (typeof earningCapPeriod.enumValues)[number];

/**
 * Caps per member and UTC calendar period: at most `max_awards_per_member` awards of an event type,
 * or at most `max_points` points (of one event type, or of all when `event_type` is null).
 */
export const earningCaps = pgTable(
  "earning_caps",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    name: text().notNull(),
    eventType: campaignEventType(),
    maxAwardsPerMember: integer(),
    maxPoints: integer(),
    period: earningCapPeriod().notNull(),
    startsAt: timestamp({ withTimezone: true }).notNull(),
    endsAt: timestamp({ withTimezone: true }),
    retiredAt: timestamp({ withTimezone: true }),
    createdBy: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check(
      "earning_caps_one_limit",
      sql`(${t.maxAwardsPerMember} is not null and ${t.maxPoints} is null and ${t.eventType} is not null and ${t.maxAwardsPerMember} >= 1)
          or (${t.maxAwardsPerMember} is null and ${t.maxPoints} is not null and ${t.maxPoints} >= 1)`,
    ),
    check("earning_caps_window", sql`${t.endsAt} is null or ${t.endsAt} > ${t.startsAt}`),
  ],
);

export const rewardKind = pgEnum("reward_kind", ["item", "coupon"]);
export type RewardKind = (typeof rewardKind.enumValues)[number];

export const rewards = pgTable(
  "rewards",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    name: text().notNull(),
    /** An item handed over by the shop, or a coupon: each redemption gets one code (docs/ledger.md, Coupon rewards). */
    kind: rewardKind().notNull().default("item"),
    /** Coupons without an uploaded pool: codes are generated as `<prefix>-<random>`. */
    codePrefix: text(),
    description: text().notNull().default(""),
    imageUrl: text(),
    pointsCost: integer().notNull(),
    /** null = unlimited. */
    stock: integer(),
    startsAt: timestamp({ withTimezone: true }),
    endsAt: timestamp({ withTimezone: true }),
    active: boolean().notNull().default(true),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("rewards_points_cost_positive", sql`${t.pointsCost} > 0`),
    check("rewards_stock_non_negative", sql`${t.stock} is null or ${t.stock} >= 0`),
    check("rewards_code_prefix_only_for_coupons", sql`${t.codePrefix} is null or ${t.kind} = 'coupon'`),
  ],
);

/**
 * A coupon reward's codes: uploaded into a pool, or generated at redemption (then inserted issued).
 * A code is given once: the redemption claims one with FOR UPDATE SKIP LOCKED and records itself.
 */
export const rewardCouponCodes = pgTable(
  "reward_coupon_codes",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    rewardId: bigint({ mode: "number" })
      .notNull()
      .references(() => rewards.id),
    code: text().notNull(),
    /** The redemption that received the code; null while in the pool. */
    transactionId: bigint({ mode: "number" }),
    memberId: bigint({ mode: "number" }),
    issuedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique("reward_coupon_codes_code_uq").on(t.rewardId, t.code),
    unique("reward_coupon_codes_transaction_uq").on(t.transactionId),
    check("reward_coupon_codes_issued", sql`(${t.transactionId} is null) = (${t.issuedAt} is null) and (${t.transactionId} is null) = (${t.memberId} is null)`),
    // The pool: codes not given yet, in upload order.
    index("reward_coupon_codes_pool_idx")
      .on(t.rewardId, t.id)
      .where(sql`${t.transactionId} is null`),
    // A member's wallet.
    index("reward_coupon_codes_member_idx")
      .on(t.memberId, t.issuedAt)
      .where(sql`${t.memberId} is not null`),
  ],
);
export type RewardCouponCode = typeof rewardCouponCodes.$inferSelect;

export type ProgramSettings = typeof programSettings.$inferSelect;
export type Tier = typeof tiers.$inferSelect;
export type Campaign = typeof campaigns.$inferSelect;
export type NewCampaign = typeof campaigns.$inferInsert;
export type Reward = typeof rewards.$inferSelect;
export type EarningRule = typeof earningRules.$inferSelect;
export type EarningCap = typeof earningCaps.$inferSelect;
