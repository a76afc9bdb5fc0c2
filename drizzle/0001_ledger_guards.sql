-- The programme's default rules; staff change them later, the code never hard-codes them.
INSERT INTO "program_settings" ("id") VALUES (1) ON CONFLICT DO NOTHING;
--> statement-breakpoint
INSERT INTO "tiers" ("code", "name", "rank", "min_spend_12m") VALUES
  ('bronze', 'Bronze', 1, 0),
  ('silver', 'Silver', 2, 50000),
  ('gold', 'Gold', 3, 200000)
ON CONFLICT DO NOTHING;
--> statement-breakpoint
-- The audit log is append-only for everyone, enforced here rather than trusted to the code.
CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON "audit_log"
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON "audit_log"
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
--> statement-breakpoint
-- The ledger is append-only too: rows are never deleted, and after insert only an earn lot's
-- "remaining" may change.
CREATE OR REPLACE FUNCTION point_transactions_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'point_transactions is append-only: DELETE is not allowed' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF (NEW.id, NEW.member_id, NEW.type, NEW.amount, NEW.reference_type, NEW.reference_id, NEW.multiplier,
      NEW.campaign_id, NEW.reward_id, NEW.spend_amount, NEW.related_transaction_id, NEW.occurred_at,
      NEW.created_at, NEW.expires_at)
     IS DISTINCT FROM
     (OLD.id, OLD.member_id, OLD.type, OLD.amount, OLD.reference_type, OLD.reference_id, OLD.multiplier,
      OLD.campaign_id, OLD.reward_id, OLD.spend_amount, OLD.related_transaction_id, OLD.occurred_at,
      OLD.created_at, OLD.expires_at) THEN
    RAISE EXCEPTION 'point_transactions is append-only: only an earn lot''s remaining may change'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER point_transactions_append_only BEFORE UPDATE OR DELETE ON "point_transactions"
  FOR EACH ROW EXECUTE FUNCTION point_transactions_guard();
--> statement-breakpoint
CREATE TRIGGER point_transactions_no_truncate BEFORE TRUNCATE ON "point_transactions"
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
