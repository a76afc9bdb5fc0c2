-- The webhook outbox (docs/webhooks.md): statement-level AFTER triggers write one webhook_events row
-- per changed row, and its webhook_deliveries rows (one per enabled endpoint that wants the type),
-- in the transaction of the change: an event exists if and only if its change committed. Set-based
-- (one INSERT per statement over the transition table, so a 500-row accrual batch costs one call),
-- and a programme with no enabled endpoint pays one index probe per statement.

-- ISO 8601 in UTC with milliseconds, as JavaScript's Date#toISOString prints it, whatever the
-- session's TimeZone.
CREATE OR REPLACE FUNCTION webhook_iso(ts timestamptz) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;
--> statement-breakpoint
-- Appends events (types[i], data[i]) in order, only those some enabled endpoint wants, and fans each
-- out to those endpoints at once: an endpoint receives what was written while it listened.
CREATE OR REPLACE FUNCTION webhook_enqueue(types text[], data jsonb[]) RETURNS void LANGUAGE sql AS $$
  WITH wanted AS (
    SELECT e.type, e.data, e.ord FROM unnest(types, data) WITH ORDINALITY AS e(type, data, ord)
    WHERE EXISTS (SELECT 1 FROM webhook_endpoints ep WHERE ep.enabled AND (ep.event_types IS NULL OR e.type = ANY (ep.event_types)))
  ), written AS (
    INSERT INTO webhook_events (type, payload)
    SELECT w.type, jsonb_build_object('type', w.type, 'timestamp', webhook_iso(now()), 'data', w.data) FROM wanted w ORDER BY w.ord
    RETURNING id, type
  )
  INSERT INTO webhook_deliveries (event_id, endpoint_id)
  SELECT written.id, ep.id FROM written
  JOIN webhook_endpoints ep ON ep.enabled AND (ep.event_types IS NULL OR written.type = ANY (ep.event_types))
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION webhooks_point_transactions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM webhook_endpoints WHERE enabled) THEN
    PERFORM webhook_enqueue(array_agg(x.type ORDER BY x.id), array_agg(x.data ORDER BY x.id)) FROM (
      SELECT n.id,
        CASE n.type WHEN 'earn' THEN 'points.earned' WHEN 'redeem' THEN 'points.redeemed' WHEN 'reverse' THEN 'points.reversed'
          WHEN 'expire' THEN 'points.expired' ELSE 'adjustment.posted' END AS type,
        jsonb_build_object('memberExternalId', m.external_id, 'transactionId', n.id, 'referenceType', n.reference_type,
          'referenceId', n.reference_id, 'points', n.amount, 'occurredAt', webhook_iso(n.occurred_at),
          'pending', n.vests_at IS NOT NULL, 'vestsAt', webhook_iso(n.vests_at)) AS data
      FROM new_rows n JOIN members m ON m.id = n.member_id
    ) x;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER point_transactions_webhooks AFTER INSERT ON point_transactions
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION webhooks_point_transactions();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION webhooks_members() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM webhook_endpoints WHERE enabled) THEN
    PERFORM webhook_enqueue(array_agg('member.created'::text ORDER BY n.id), array_agg(jsonb_build_object(
        'memberExternalId', n.external_id, 'referenceType', 'member', 'referenceId', n.external_id,
        'points', 0, 'occurredAt', webhook_iso(n.created_at)) ORDER BY n.id))
      FROM new_rows n;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER members_webhooks AFTER INSERT ON members
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION webhooks_members();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION webhooks_tier_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM webhook_endpoints WHERE enabled) THEN
    PERFORM webhook_enqueue(array_agg('tier.changed'::text ORDER BY n.id), array_agg(jsonb_build_object(
        'memberExternalId', m.external_id, 'referenceType', 'tier_change', 'referenceId', n.id::text,
        'points', 0, 'fromTier', n.from_tier, 'toTier', n.to_tier, 'tierSpend12m', n.tier_spend_12m,
        'occurredAt', webhook_iso(n.changed_at)) ORDER BY n.id))
      FROM new_rows n JOIN members m ON m.id = n.member_id;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER tier_history_webhooks AFTER INSERT ON tier_history
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION webhooks_tier_history();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION webhooks_lot_vestings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM webhook_endpoints WHERE enabled) THEN
    PERFORM webhook_enqueue(array_agg('points.vested'::text ORDER BY n.lot_id), array_agg(jsonb_build_object(
        'memberExternalId', m.external_id, 'transactionId', n.lot_id, 'referenceType', t.reference_type,
        'referenceId', t.reference_id, 'points', n.points, 'occurredAt', webhook_iso(n.vested_at)) ORDER BY n.lot_id))
      FROM new_rows n JOIN members m ON m.id = n.member_id JOIN point_transactions t ON t.id = n.lot_id;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER lot_vestings_webhooks AFTER INSERT ON lot_vestings
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION webhooks_lot_vestings();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION webhooks_point_holds_created() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM webhook_endpoints WHERE enabled) THEN
    PERFORM webhook_enqueue(array_agg('hold.created'::text ORDER BY n.id), array_agg(jsonb_build_object(
        'memberExternalId', m.external_id, 'holdId', n.id, 'referenceType', 'hold', 'referenceId', n.reference_id,
        'points', n.points, 'expiresAt', webhook_iso(n.expires_at), 'occurredAt', webhook_iso(n.created_at)) ORDER BY n.id))
      FROM new_rows n JOIN members m ON m.id = n.member_id;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER point_holds_webhooks_created AFTER INSERT ON point_holds
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION webhooks_point_holds_created();
--> statement-breakpoint
-- A status change (active -> captured or voided). points: what the capture took (the rest was
-- released) or what the void released.
CREATE OR REPLACE FUNCTION webhooks_point_holds_decided() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM webhook_endpoints WHERE enabled) THEN
    PERFORM webhook_enqueue(array_agg('hold.' || n.status::text ORDER BY n.id), array_agg(jsonb_build_object(
        'memberExternalId', m.external_id, 'holdId', n.id, 'referenceType', 'hold', 'referenceId', n.reference_id,
        'points', CASE WHEN n.status = 'captured' THEN -t.amount ELSE n.points END,
        'heldPoints', n.points, 'transactionId', n.capture_transaction_id,
        'occurredAt', webhook_iso(n.decided_at)) ORDER BY n.id))
      FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN members m ON m.id = n.member_id
      LEFT JOIN point_transactions t ON t.id = n.capture_transaction_id
      WHERE o.status = 'active' AND n.status <> 'active';
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER point_holds_webhooks_decided AFTER UPDATE ON point_holds
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION webhooks_point_holds_decided();
