ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "webhook_deliveries_event_id_webhook_events_id_fk";
--> statement-breakpoint
ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "webhook_deliveries_endpoint_id_webhook_endpoints_id_fk";
--> statement-breakpoint
CREATE INDEX "webhook_deliveries_finished_idx" ON "webhook_deliveries" USING btree ("last_attempt_at") WHERE "webhook_deliveries"."status" <> 'pending';--> statement-breakpoint
-- The outbox write of the accrual batch path, cheaper (BENCHMARKS.md, Webhook outbox): one
-- INSERT … SELECT from the statement's transition table joined to its members, the payload built
-- once per row (before, `data` went through two arrays and webhook_enqueue and was wrapped in a
-- second jsonb_build_object), the commit timestamp formatted once per statement, and the deliveries
-- fanned out from the same statement's RETURNING without the foreign-key checks dropped above.
-- Same events, same payloads, in id order, only those some enabled endpoint wants.
CREATE OR REPLACE FUNCTION webhooks_point_transactions() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  stamp text;
BEGIN
  IF EXISTS (SELECT 1 FROM webhook_endpoints WHERE enabled) THEN
    stamp := webhook_iso(now());
    WITH x AS (
      SELECT n.id, n.member_id, n.reference_type, n.reference_id, n.amount, n.occurred_at, n.vests_at,
        CASE n.type WHEN 'earn' THEN 'points.earned' WHEN 'redeem' THEN 'points.redeemed' WHEN 'reverse' THEN 'points.reversed'
          WHEN 'expire' THEN 'points.expired' ELSE 'adjustment.posted' END AS type
      FROM new_rows n
    ), written AS (
      INSERT INTO webhook_events (type, payload)
      SELECT x.type, jsonb_build_object('type', x.type, 'timestamp', stamp, 'data', jsonb_build_object(
          'memberExternalId', m.external_id, 'transactionId', x.id, 'referenceType', x.reference_type,
          'referenceId', x.reference_id, 'points', x.amount, 'occurredAt', webhook_iso(x.occurred_at),
          'pending', x.vests_at IS NOT NULL, 'vestsAt', webhook_iso(x.vests_at)))
      FROM x JOIN members m ON m.id = x.member_id
      WHERE EXISTS (SELECT 1 FROM webhook_endpoints ep WHERE ep.enabled AND (ep.event_types IS NULL OR x.type = ANY (ep.event_types)))
      ORDER BY x.id
      RETURNING id, type
    )
    INSERT INTO webhook_deliveries (event_id, endpoint_id)
    SELECT written.id, ep.id FROM written
    JOIN webhook_endpoints ep ON ep.enabled AND (ep.event_types IS NULL OR written.type = ANY (ep.event_types));
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- member.created, the same way (a batch's first events create their members in one statement).
CREATE OR REPLACE FUNCTION webhooks_members() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM webhook_endpoints WHERE enabled AND (event_types IS NULL OR 'member.created' = ANY (event_types))) THEN
    WITH written AS (
      INSERT INTO webhook_events (type, payload)
      SELECT 'member.created', jsonb_build_object('type', 'member.created', 'timestamp', webhook_iso(now()), 'data', jsonb_build_object(
          'memberExternalId', n.external_id, 'referenceType', 'member', 'referenceId', n.external_id,
          'points', 0, 'occurredAt', webhook_iso(n.created_at)))
      FROM new_rows n
      ORDER BY n.id
      RETURNING id, type
    )
    INSERT INTO webhook_deliveries (event_id, endpoint_id)
    SELECT written.id, ep.id FROM written
    JOIN webhook_endpoints ep ON ep.enabled AND (ep.event_types IS NULL OR written.type = ANY (ep.event_types));
  END IF;
  RETURN NULL;
END;
$$;
