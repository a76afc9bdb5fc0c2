/**
 * The event types the outbox triggers write (drizzle/0021_webhook_outbox_triggers.sql, 0024:
 * points.expiring on each expiry reminder queued, hold.expired when the hold-expiry job records a
 * lapse); member.erased by eraseMember through webhook_enqueue in its transaction. docs/webhooks.md
 * lists each with its payload.
 */
export const WEBHOOK_EVENT_TYPES = [
  "member.created",
  "member.erased",
  "points.earned",
  "points.redeemed",
  "points.reversed",
  "points.expired",
  "points.expiring",
  "points.vested",
  "tier.changed",
  "hold.created",
  "hold.captured",
  "hold.voided",
  "hold.expired",
  "adjustment.posted",
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
