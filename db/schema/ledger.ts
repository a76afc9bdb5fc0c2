import { sql } from "drizzle-orm";
import { bigint, check, date, index, integer, jsonb, numeric, pgEnum, pgTable, primaryKey, text, timestamp, unique } from "drizzle-orm/pg-core";
import { members } from "./members";
import { campaigns, rewards } from "./program";

/** point_transactions.applied_rules (lib/loyalty/rules/earning.ts builds it). */
export interface AppliedRules {
  rules?: number[];
  campaigns?: number[];
  caps?: number[];
  /** A purchase with lines: each line's SKU, cents and earning weight (cents × rate × multiplier, in ten-thousandths, as text). */
  lines?: { sku: string; cents: number; weight: string }[];
  /** A refund of lines: the SKUs and cents it returned and their weight. */
  returned?: { sku: string; cents: number; weight: string }[];
}

export const transactionType = pgEnum("transaction_type", ["earn", "redeem", "expire", "adjust", "reverse"]);
export const TRANSACTION_TYPES = transactionType.enumValues;
export type TransactionType = (typeof TRANSACTION_TYPES)[number];

/**
 * The ledger. Append-only: a row is never deleted and only `remaining` (the unconsumed points of an
 * earn lot) ever changes after insert. `amount` is signed: credits > 0, debits < 0.
 * The table also has chain_seq, prev_hash and row_hash (the member's hash chain, docs/ledger.md
 * "Tamper evidence"): set by ledger_append (the batch path, drizzle/0028) or a trigger and read by
 * `ledger verify` only, so they are left out of this schema (drizzle/0015) and no select() carries
 * them. ledger_append builds rows in the table's column order: a new column means recreating it.
 */
export const pointTransactions = pgTable(
  "point_transactions",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    memberId: bigint({ mode: "number" })
      .notNull()
      .references(() => members.id),
    type: transactionType().notNull(),
    amount: bigint({ mode: "number" }).notNull(),
    /** What caused the row: purchase, refund, referral, review, login, redemption, reward, expiry, adjustment, reversal… */
    referenceType: text().notNull(),
    /** The caller's id for the cause; unique per referenceType, which makes every write idempotent. */
    referenceId: text().notNull(),
    /** Multiplier applied to the base points (campaign and tier bonus); 1 when none. */
    multiplier: numeric({ precision: 6, scale: 4, mode: "number" }).notNull().default(1),
    /** The campaign whose multiplier won, for audit. */
    campaignId: bigint({ mode: "number" }).references(() => campaigns.id),
    rewardId: bigint({ mode: "number" }).references(() => rewards.id),
    /** Purchase spend in minor units (refunds negative); feeds the rolling 12-month tier spend. */
    spendAmount: bigint({ mode: "number" }),
    /** The row this one reverses, refunds, or expires. */
    relatedTransactionId: bigint({ mode: "number" }),
    description: text(),
    /** Who wrote it: "api:<key name>", "user:<id>", "job:<name>". */
    createdBy: text(),
    occurredAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** Lots only (earn, positive adjust, lot part of a reversal). */
    expiresAt: timestamp({ withTimezone: true }),
    /** Lots only: points of the lot not yet redeemed, expired or reversed. */
    remaining: bigint({ mode: "number" }),
    /**
     * Fingerprint of the canonical request that wrote the row (events, redemptions, adjustments):
     * a replay of the reference with another payload is refused as idempotency_conflict instead of
     * being answered as a duplicate. Null on rows written by jobs and before fingerprints existed.
     */
    requestFingerprint: text(),
    /**
     * Lots of purchases made while the programme has a return window (pending_days > 0): the points
     * are pending, not redeemable, until this instant; expiry counts from it. Null: vested at once.
     */
    vestsAt: timestamp({ withTimezone: true }),
    /**
     * Events: the earning rules, caps and campaigns that applied, and for a purchase with lines the
     * weight of each line that its refunds take back by (docs/ledger.md, Earning rules). Null when
     * none applied (the row's content, and so its hash, is then what it was before the column).
     */
    appliedRules: jsonb().$type<AppliedRules>(),
  },
  (t) => [
    unique("point_transactions_reference_uq").on(t.referenceType, t.referenceId),
    // A zero-point purchase or refund (e.g. 0.99 spent at 1 point per unit) is still kept, as a memo of
    // its spend (tier spend, cumulative refunds) and so that its reference stays idempotent.
    check("point_transactions_amount_non_zero", sql`${t.amount} <> 0 or (${t.type} in ('earn', 'reverse') and ${t.spendAmount} is not null)`),
    // Lots: every earn credit, a positive adjustment, and the part of a reversal that cannot go back
    // to the lots it came from. Debits are negative and never lots.
    check(
      "point_transactions_lot_shape",
      sql`(${t.type} in ('earn', 'adjust', 'reverse') and ${t.amount} > 0 and ${t.remaining} between 0 and ${t.amount} and ${t.expiresAt} is not null)
          or (${t.type} = 'earn' and ${t.amount} = 0 and ${t.remaining} is null)
          or (${t.type} = 'reverse' and ${t.remaining} is null)
          or (${t.type} in ('redeem', 'expire', 'adjust') and ${t.amount} < 0 and ${t.remaining} is null)`,
    ),
    // History, keyset: WHERE member_id = ? AND id < ? ORDER BY id DESC
    index("point_transactions_member_id_idx").on(t.memberId, t.id.desc()),
    // FIFO lots of one member, oldest-expiring first; partial so spent lots drop out of it.
    index("point_transactions_open_lots_idx")
      .on(t.memberId, t.expiresAt, t.id)
      .where(sql`${t.remaining} > 0`),
    // The vesting job finds pending lots by their vesting instant, set-based.
    index("point_transactions_pending_lots_idx")
      .on(t.vestsAt)
      .where(sql`${t.vestsAt} is not null`),
    // The expiry job and the reminders job scan open lots by expiry date, set-based.
    index("point_transactions_open_lots_expiry_idx")
      .on(t.expiresAt)
      .where(sql`${t.remaining} > 0`),
    // Rolling 12-month spend for tiers.
    index("point_transactions_spend_idx")
      .on(t.occurredAt, t.memberId)
      .where(sql`${t.spendAmount} is not null`),
    index("point_transactions_related_idx")
      .on(t.relatedTransactionId)
      .where(sql`${t.relatedTransactionId} is not null`),
    index("point_transactions_campaign_idx")
      .on(t.campaignId)
      .where(sql`${t.campaignId} is not null`),
    // Earning caps (db/queries/earning-rules.ts, capUsage): a batch's members' awards in the caps'
    // periods, as an index-only range scan per member instead of a heap fetch of every row they have.
    index("point_transactions_member_awards_idx")
      .on(t.memberId, t.occurredAt, t.referenceType, t.amount)
      .where(sql`${t.type} = 'earn' and ${t.amount} > 0`),
    // Four-eyes sums: WHERE created_by = ? AND occurred_at > now - 24h among staff adjustments and reversals.
    index("point_transactions_staff_moves_idx")
      .on(t.createdBy, t.occurredAt)
      .where(sql`${t.referenceType} in ('adjustment', 'reversal')`),
    // Reports scan time ranges of an append-only table whose rows arrive in created_at order: a BRIN
    // index is a few pages for billions of rows and turns a range into a scan of just those blocks.
    index("point_transactions_created_brin").using("brin", t.createdAt),
  ],
);

/** Which earn lots a debit (redeem, expire, reverse, adjust) consumed, and how many points of each. */
export const lotAllocations = pgTable(
  "lot_allocations",
  {
    transactionId: bigint({ mode: "number" })
      .notNull()
      .references(() => pointTransactions.id),
    lotId: bigint({ mode: "number" })
      .notNull()
      .references(() => pointTransactions.id),
    points: bigint({ mode: "number" }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.transactionId, t.lotId] }),
    index("lot_allocations_lot_idx").on(t.lotId),
    check("lot_allocations_points_positive", sql`${t.points} > 0`),
  ],
);

/**
 * The vesting job's record of each pending lot it saw vest (docs/ledger.md, Pending points): the
 * lot's points were redeemable from `vests_at` on whatever the job did; this row is what tells the
 * member (and, later, webhooks) once, and what makes the job idempotent.
 */
export const lotVestings = pgTable(
  "lot_vestings",
  {
    lotId: bigint({ mode: "number" })
      .primaryKey()
      .references(() => pointTransactions.id),
    memberId: bigint({ mode: "number" })
      .notNull()
      .references(() => members.id),
    points: bigint({ mode: "number" }).notNull(),
    vestedAt: timestamp({ withTimezone: true }).notNull(),
    recordedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  // The vesting job starts from the latest vesting recorded: one probe, not a scan of every row.
  (t) => [index("lot_vestings_vested_at_idx").on(t.vestedAt)],
);

/** One row per member per UTC day: makes the daily login award unique and carries the streak. */
export const loginCheckIns = pgTable(
  "login_check_ins",
  {
    memberId: bigint({ mode: "number" })
      .notNull()
      .references(() => members.id),
    day: date({ mode: "string" }).notNull(),
    streak: integer().notNull(),
    transactionId: bigint({ mode: "number" }).references(() => pointTransactions.id),
  },
  (t) => [primaryKey({ columns: [t.memberId, t.day] }), check("login_check_ins_streak_positive", sql`${t.streak} >= 1`)],
);

export type PointTransaction = typeof pointTransactions.$inferSelect;
export type NewPointTransaction = typeof pointTransactions.$inferInsert;
export type LotAllocation = typeof lotAllocations.$inferSelect;
