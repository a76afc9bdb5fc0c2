ALTER TABLE "point_holds" ADD COLUMN "expiry_recorded_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "point_holds_unrecorded_expiry_idx" ON "point_holds" USING btree ("expires_at") WHERE "point_holds"."status" = 'active' and "point_holds"."expiry_recorded_at" is null;--> statement-breakpoint
ALTER TABLE "point_holds" ADD CONSTRAINT "point_holds_expiry_recorded" CHECK ("point_holds"."expiry_recorded_at" is null or "point_holds"."expiry_recorded_at" >= "point_holds"."expires_at");--> statement-breakpoint
-- Holds that lapsed before this migration are recorded as lapsed at their expiry, without an event
-- (the outbox triggers below are not in place yet): hold.expired is sent for lapses recorded from
-- now on, not for old ones at the job's first run.
UPDATE "point_holds" SET "expiry_recorded_at" = "expires_at" WHERE "status" = 'active' AND "expires_at" <= now();
--> statement-breakpoint
-- hold.captured / hold.voided on a status change (active -> captured or voided), and hold.expired
-- when the hold-expiry job records that an active hold lapsed unused (expiry_recorded_at set). A
-- hold whose lapse was recorded sends nothing more if it is voided afterwards (its points came back
-- at expiry, and hold.expired said so): each hold ends with exactly one of captured, voided, expired.
CREATE OR REPLACE FUNCTION webhooks_point_holds_decided() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM webhook_endpoints WHERE enabled) THEN
    PERFORM webhook_enqueue(array_agg(x.type ORDER BY x.id), array_agg(x.data ORDER BY x.id)) FROM (
      SELECT n.id, 'hold.' || n.status::text AS type, jsonb_build_object(
          'memberExternalId', m.external_id, 'holdId', n.id, 'referenceType', 'hold', 'referenceId', n.reference_id,
          'points', CASE WHEN n.status = 'captured' THEN -t.amount ELSE n.points END,
          'heldPoints', n.points, 'transactionId', n.capture_transaction_id,
          'occurredAt', webhook_iso(n.decided_at)) AS data
        FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN members m ON m.id = n.member_id
        LEFT JOIN point_transactions t ON t.id = n.capture_transaction_id
        WHERE o.status = 'active' AND n.status <> 'active' AND o.expiry_recorded_at IS NULL
      UNION ALL
      SELECT n.id, 'hold.expired', jsonb_build_object(
          'memberExternalId', m.external_id, 'holdId', n.id, 'referenceType', 'hold', 'referenceId', n.reference_id,
          'points', n.points, 'heldPoints', n.points, 'expiresAt', webhook_iso(n.expires_at),
          'occurredAt', webhook_iso(n.expires_at))
        FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN members m ON m.id = n.member_id
        WHERE n.status = 'active' AND o.expiry_recorded_at IS NULL AND n.expiry_recorded_at IS NOT NULL
    ) x;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- points.expiring: one event per expiry reminder the reminders job queues (a notifications row,
-- unique per member, threshold and expiry day; a second run inserts nothing, so sends nothing).
-- expiresAt: when the first of the reminded points expires (one probe of
-- point_transactions_open_lots_idx per reminder).
CREATE OR REPLACE FUNCTION webhooks_notifications() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM webhook_endpoints WHERE enabled) THEN
    PERFORM webhook_enqueue(array_agg('points.expiring'::text ORDER BY n.id), array_agg(jsonb_build_object(
        'memberExternalId', m.external_id, 'referenceType', 'expiry_reminder', 'referenceId', n.id::text,
        'points', n.points, 'thresholdDays', n.threshold_days, 'expiresOn', to_char(n.expires_on, 'YYYY-MM-DD'),
        'expiresAt', webhook_iso(coalesce(first_lot.expires_at, n.expires_on::timestamp AT TIME ZONE 'UTC')),
        'occurredAt', webhook_iso(n.created_at)) ORDER BY n.id))
      FROM new_rows n JOIN members m ON m.id = n.member_id
      LEFT JOIN LATERAL (
        SELECT l.expires_at FROM point_transactions l
        WHERE l.member_id = n.member_id AND l.remaining > 0
          AND l.expires_at >= n.expires_on::timestamp AT TIME ZONE 'UTC'
          AND l.expires_at < (n.expires_on + 1)::timestamp AT TIME ZONE 'UTC'
        ORDER BY l.expires_at LIMIT 1
      ) first_lot ON true
      WHERE n.kind = 'expiry_reminder';
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER notifications_webhooks AFTER INSERT ON notifications
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION webhooks_notifications();
