import { sql } from "drizzle-orm";
import { bigint, boolean, check, date, index, integer, jsonb, pgEnum, pgTable, smallint, text, timestamp, unique, uniqueIndex } from "drizzle-orm/pg-core";
import { members } from "./members";
import { pointTransactions } from "./ledger";
import { tierCode } from "./program";

export const apiKeys = pgTable(
  "api_keys",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    /** What staff call the key (`api-key revoke NAME`); unique among keys not revoked. */
    name: text().notNull(),
    /** First characters of the key, shown to staff to tell keys apart; never enough to use it. */
    prefix: text().notNull(),
    /** SHA-256 of the whole key (keys are 32 random bytes, so a fast hash is enough). */
    keyHash: text().notNull().unique(),
    scopes: text().array().notNull(),
    /** Requests per second this key may make; null = the program default (API_KEY_RATE_LIMIT). */
    rateLimitPerSecond: integer(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** The key stops working at this instant; null = never. */
    expiresAt: timestamp({ withTimezone: true }),
    lastUsedAt: timestamp({ withTimezone: true }),
    /** When the key stops (stopped) working: set by a revocation, or in the future by a rotation's grace period. */
    revokedAt: timestamp({ withTimezone: true }),
    /** The key that replaced this one in a rotation. */
    replacedById: bigint({ mode: "number" }),
  },
  (t) => [
    // `api-key revoke NAME` must name one key: a name is reused only once its key is revoked (or retiring).
    uniqueIndex("api_keys_active_name_uq")
      .on(t.name)
      .where(sql`${t.revokedAt} is null`),
    check("api_keys_rate_limit_positive", sql`${t.rateLimitPerSecond} is null or ${t.rateLimitPerSecond} > 0`),
  ],
);

/**
 * Append-only audit trail of every staff or system change. UPDATE and DELETE are refused by a
 * trigger in the database (see the custom migration), not only by the code. created_at is set by
 * the database; chain_seq, prev_hash and row_hash (one hash chain over the entries, head in
 * audit_log_chain_head) are the triggers' and left out of this schema (drizzle/0015).
 */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    /** "user:<id>", "api:<key name>", "job:<name>", "cli". */
    actor: text().notNull(),
    action: text().notNull(),
    targetType: text().notNull(),
    targetId: text().notNull(),
    /** Set when the target concerns one member, so a member's page can list its entries. */
    memberId: bigint({ mode: "number" }).references(() => members.id),
    reason: text(),
    before: jsonb(),
    after: jsonb(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("audit_log_created_idx").on(t.createdAt.desc(), t.id.desc()),
    index("audit_log_member_idx")
      .on(t.memberId, t.id.desc())
      .where(sql`${t.memberId} is not null`),
    index("audit_log_actor_idx").on(t.actor, t.id.desc()),
  ],
);

export const notificationKind = pgEnum("notification_kind", ["expiry_reminder"]);

/** A member's inbox. Expiry reminders are unique per member, threshold and expiry day: never sent twice. */
export const notifications = pgTable(
  "notifications",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    memberId: bigint({ mode: "number" })
      .notNull()
      .references(() => members.id),
    kind: notificationKind().notNull(),
    /** 30, 7 or 1 days before expiry. */
    thresholdDays: smallint().notNull(),
    expiresOn: date({ mode: "string" }).notNull(),
    points: bigint({ mode: "number" }).notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    readAt: timestamp({ withTimezone: true }),
    emailedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    unique("notifications_reminder_uq").on(t.memberId, t.kind, t.thresholdDays, t.expiresOn),
    index("notifications_member_idx").on(t.memberId, t.id.desc()),
    index("notifications_unsent_idx")
      .on(t.id)
      .where(sql`${t.emailedAt} is null`),
  ],
);

export const tierHistory = pgTable(
  "tier_history",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    memberId: bigint({ mode: "number" })
      .notNull()
      .references(() => members.id),
    fromTier: tierCode().notNull(),
    toTier: tierCode().notNull(),
    tierSpend12m: bigint("tier_spend_12m", { mode: "number" }).notNull(),
    changedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("tier_history_member_idx").on(t.memberId, t.id.desc())],
);

export const adjustmentStatus = pgEnum("adjustment_status", ["pending", "approved", "rejected"]);

/**
 * Staff adjustments and reversals that need a second person (role admin) wait here before they post.
 * Only status, decided_by and decided_at ever change (a trigger refuses anything else, and DELETE).
 */
export const adjustmentRequests = pgTable(
  "adjustment_requests",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    memberId: bigint({ mode: "number" })
      .notNull()
      .references(() => members.id),
    /** Signed points it posts: the adjustment, or what the reversal moves (checked again on approval). */
    points: bigint({ mode: "number" }).notNull(),
    reason: text().notNull(),
    /**
     * As in the ledger: 'adjustment' (referenceId = the adjustment's reference) or 'reversal'
     * (referenceId = the reversed transaction's id). A pending request reserves its reference.
     */
    referenceType: text().notNull().default("adjustment"),
    referenceId: text().notNull(),
    /** The transaction a reversal request reverses. */
    relatedTransactionId: bigint({ mode: "number" }).references(() => pointTransactions.id),
    allowNegativeBalance: boolean().notNull().default(false),
    status: adjustmentStatus().notNull().default("pending"),
    /** Why a second person must decide (lib/loyalty/rules/four-eyes.ts) and the figures the rule saw. */
    approvalRule: text().notNull().default("member_threshold"),
    approvalContext: jsonb(),
    requestedBy: text().notNull(),
    decidedBy: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    decidedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    check("adjustment_requests_points_non_zero", sql`${t.points} <> 0`),
    check(
      "adjustment_requests_reference_shape",
      sql`(${t.referenceType} = 'adjustment' and ${t.relatedTransactionId} is null)
          or (${t.referenceType} = 'reversal' and ${t.relatedTransactionId} is not null and ${t.referenceId} = ${t.relatedTransactionId}::text)`,
    ),
    check("adjustment_requests_approval_rule", sql`${t.approvalRule} in ('member_threshold', 'daily_cap', 'redemption_reversal')`),
    index("adjustment_requests_pending_idx")
      .on(t.createdAt)
      .where(sql`${t.status} = 'pending'`),
    // A reference is reserved by at most one pending request.
    uniqueIndex("adjustment_requests_pending_reference_uq")
      .on(t.referenceType, t.referenceId)
      .where(sql`${t.status} = 'pending'`),
    // Four-eyes sums leave out ledger rows an approved request posted (NOT EXISTS … status = 'approved').
    index("adjustment_requests_reference_idx").on(t.referenceType, t.referenceId),
  ],
);

/** Stream events that can never succeed (unknown member, invalid payload), kept for admins. */
export const deadLetterEvents = pgTable(
  "dead_letter_events",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    streamId: text().notNull().unique(),
    payload: jsonb().notNull(),
    reason: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("dead_letter_events_created_idx").on(t.createdAt.desc())],
);

/**
 * Nightly totals so reports need not scan every balance: `liability` = SUM(amount) of the ledger rows
 * with created_at <= taken_at; `tierMembers` = members per tier code when the job ran.
 * One row per job run (`requested_at` is the job's `now`, so a rerun adds nothing).
 */
export const ledgerSnapshots = pgTable("ledger_snapshots", {
  takenAt: timestamp({ withTimezone: true }).primaryKey(),
  requestedAt: timestamp({ withTimezone: true }).notNull().unique(),
  liability: bigint({ mode: "number" }).notNull(),
  members: bigint({ mode: "number" }).notNull(),
  tierMembers: jsonb().$type<Record<string, number>>().notNull(),
});

export type ApiKey = typeof apiKeys.$inferSelect;
export type AuditEntry = typeof auditLog.$inferSelect;
export type NewAuditEntry = typeof auditLog.$inferInsert;
export type Notification = typeof notifications.$inferSelect;
export type AdjustmentRequest = typeof adjustmentRequests.$inferSelect;
export type LedgerSnapshot = typeof ledgerSnapshots.$inferSelect;
