/**
 * The event types the outbox triggers write (drizzle/0021_webhook_outbox_triggers.sql). Issue 12
 * also names points.expiring and hold.expired: neither has a row to trigger on yet (reminders are
 * queued mail, a hold expires by the clock without a write), so they are not sent (docs/webhooks.md).
 */
export const WEBHOOK_EVENT_TYPES = [
  "member.created",
  "points.earned",
  "points.redeemed",
  "points.reversed",
  "points.expired",
  "points.vested",
  "tier.changed",
  "hold.created",
  "hold.captured",
  "hold.voided",
  "adjustment.posted",
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
