import { sql } from "drizzle-orm";
import { bigint, check, index, pgEnum, pgTable, text, timestamp, unique } from "drizzle-orm/pg-core";
import { pointTransactions } from "./ledger";
import { members } from "./members";

export const holdStatus = pgEnum("hold_status", ["active", "captured", "voided"]);
export type HoldStatus = (typeof holdStatus.enumValues)[number];

/**
 * Points reserved at checkout, captured (as a redemption) at payment or voided. A hold is no ledger
 * row: the points stay in their lots until the capture's redemption takes them, but held points are
 * not available to redemptions or other holds. An active hold past `expires_at` holds nothing any
 * more, without a job: every reader compares with its clock; the hold-expiry job then records the
 * lapse once (`expiry_recorded_at`), which is what sends `hold.expired`. See docs/ledger.md, Holds.
 */
export const pointHolds = pgTable(
  "point_holds",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    memberId: bigint({ mode: "number" })
      .notNull()
      .references(() => members.id),
    points: bigint({ mode: "number" }).notNull(),
    /** The caller's idempotency key for creating the hold. */
    referenceId: text().notNull(),
    status: holdStatus().notNull().default("active"),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    createdBy: text().notNull(),
    requestFingerprint: text().notNull(),
    /** Set when captured or voided. */
    decidedAt: timestamp({ withTimezone: true }),
    /** The redemption a capture wrote (its points are the captured ones; the rest was released). */
    captureTransactionId: bigint({ mode: "number" }).references(() => pointTransactions.id),
    /**
     * When the hold-expiry job recorded that this hold lapsed unused (it held nothing from
     * `expires_at` on whatever the job does); set once, on an active hold past its expiry. Its
     * trigger sends `hold.expired` (drizzle/0024).
     */
    expiryRecordedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    unique("point_holds_reference_uq").on(t.referenceId),
    check("point_holds_points_positive", sql`${t.points} > 0`),
    check(
      "point_holds_decided",
      sql`(${t.status} = 'active' and ${t.decidedAt} is null and ${t.captureTransactionId} is null)
          or (${t.status} = 'voided' and ${t.decidedAt} is not null and ${t.captureTransactionId} is null)
          or (${t.status} = 'captured' and ${t.decidedAt} is not null and ${t.captureTransactionId} is not null)`,
    ),
    check("point_holds_expiry_recorded", sql`${t.expiryRecordedAt} is null or ${t.expiryRecordedAt} >= ${t.expiresAt}`),
    // The hold-expiry job: active holds past their expiry whose lapse is not recorded yet.
    index("point_holds_unrecorded_expiry_idx")
      .on(t.expiresAt)
      .where(sql`${t.status} = 'active' and ${t.expiryRecordedAt} is null`),
    // A member's live holds, read under the balance lock by every redemption and hold.
    index("point_holds_member_active_idx")
      .on(t.memberId, t.expiresAt)
      .where(sql`${t.status} = 'active'`),
  ],
);

export type PointHold = typeof pointHolds.$inferSelect;
