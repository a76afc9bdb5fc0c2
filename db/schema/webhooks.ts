import { sql } from "drizzle-orm";
import { bigint, boolean, check, index, integer, jsonb, pgEnum, pgTable, text, timestamp, unique } from "drizzle-orm/pg-core";

/**
 * Signed webhooks (docs/webhooks.md). Three tables:
 * - webhook_endpoints: where to send, which event types (null = all), the signing secret (encrypted).
 * - webhook_events: the transactional outbox. Rows are written by triggers on the ledger and its
 *   neighbours (drizzle/0021, 0024, 0031), in the transaction of the change itself: an event exists if and only
 *   if its change committed. Nothing writes them from application code.
 * - webhook_deliveries: one row per (event, endpoint), fanned out by the same trigger statement at
 *   insert (an endpoint receives the events written while it was enabled, never older ones), claimed
 *   by the delivery process with FOR UPDATE SKIP LOCKED and retried with backoff.
 */
export const webhookEndpoints = pgTable(
  "webhook_endpoints",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    url: text().notNull(),
    /** The event types it receives; null: every type. */
    eventTypes: text().array(),
    enabled: boolean().notNull().default(true),
    /** The Standard Webhooks secret (whsec_…), AES-256-GCM with a key derived from AUTH_SECRET. */
    secretEncrypted: text().notNull(),
    createdBy: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("webhook_endpoints_url_shape", sql`${t.url} ~ '^https?://' and char_length(${t.url}) <= 2000`),
    // The outbox triggers' "is anyone listening" probe and their fan-out join.
    index("webhook_endpoints_enabled_idx")
      .on(t.id)
      .where(sql`${t.enabled}`),
  ],
);

export const webhookEvents = pgTable(
  "webhook_events",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    /** points.earned, member.created, … (lib/webhooks/event-types.ts). */
    type: text().notNull(),
    /** The Standard Webhooks body: {type, timestamp, data}. */
    payload: jsonb().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("webhook_events_created_brin").using("brin", t.createdAt)],
);

export const webhookDeliveryStatus = pgEnum("webhook_delivery_status", ["pending", "delivered", "failed"]);
export type WebhookDeliveryStatus = (typeof webhookDeliveryStatus.enumValues)[number];

export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    // No foreign keys (drizzle/0031): their checks are row triggers, two queries and a row lock per
    // delivery, on the accrual batch path. The outbox trigger writes a delivery with its event, and
    // only events without deliveries are pruned; deleting an endpoint deletes its deliveries
    // (lib/webhooks/endpoints.ts), and the pruning job removes any a concurrent write left behind.
    eventId: bigint({ mode: "number" }).notNull(),
    endpointId: bigint({ mode: "number" }).notNull(),
    status: webhookDeliveryStatus().notNull().default("pending"),
    attempts: integer().notNull().default(0),
    /** When it may be tried next; a claim pushes it forward (a lease), so a killed process's claim lapses. */
    nextAttemptAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastAttemptAt: timestamp({ withTimezone: true }),
    /** The HTTP status of the last attempt; null when it got no answer. */
    lastStatus: integer(),
    /** The start of the last answer's body, or the network error. */
    lastResponse: text(),
    deliveredAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique("webhook_deliveries_event_endpoint_uq").on(t.eventId, t.endpointId),
    check("webhook_deliveries_attempts", sql`${t.attempts} >= 0`),
    // The claim: WHERE status = 'pending' AND next_attempt_at <= now() ORDER BY next_attempt_at.
    index("webhook_deliveries_due_idx")
      .on(t.nextAttemptAt)
      .where(sql`${t.status} = 'pending'`),
    // The delivery log of one endpoint, newest first; an endpoint's deliveries deleted with it.
    index("webhook_deliveries_endpoint_idx").on(t.endpointId, t.id.desc()),
    // Pruning (lib/webhooks/prune.ts): finished deliveries by their last attempt. Pending rows are
    // not in it, so the outbox trigger's inserts do not touch it.
    index("webhook_deliveries_finished_idx")
      .on(t.lastAttemptAt)
      .where(sql`${t.status} <> 'pending'`),
  ],
);

export type WebhookEndpoint = typeof webhookEndpoints.$inferSelect;
export type WebhookEvent = typeof webhookEvents.$inferSelect;
export type WebhookDelivery = typeof webhookDeliveries.$inferSelect;
