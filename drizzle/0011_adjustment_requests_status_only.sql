-- Requests change only their status: a decision sets status, decided_by and decided_at, once; what
-- was asked (member, points, reason, reference, the rule that sent it here) stays as it was asked,
-- so an approval posts exactly what the approver saw. Never deleted; the requester never approves.
CREATE OR REPLACE FUNCTION adjustment_requests_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'TRUNCATE') THEN
    RAISE EXCEPTION 'adjustment_requests: % is not allowed, a request is kept', TG_OP USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF (to_jsonb(NEW) - 'status' - 'decided_by' - 'decided_at') IS DISTINCT FROM (to_jsonb(OLD) - 'status' - 'decided_by' - 'decided_at') THEN
    RAISE EXCEPTION 'adjustment_requests: only status, decided_by and decided_at may change' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF OLD.status <> 'pending' OR NEW.status = 'pending' OR NEW.decided_by IS NULL OR NEW.decided_at IS NULL THEN
    RAISE EXCEPTION 'adjustment_requests: a pending request is decided once, by someone, at a time' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.status = 'approved' AND NEW.decided_by = OLD.requested_by THEN
    RAISE EXCEPTION 'adjustment_requests: the requester cannot approve their own request' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER adjustment_requests_status_only BEFORE UPDATE OR DELETE ON "adjustment_requests"
  FOR EACH ROW EXECUTE FUNCTION adjustment_requests_guard();
--> statement-breakpoint
CREATE TRIGGER adjustment_requests_no_truncate BEFORE TRUNCATE ON "adjustment_requests"
  FOR EACH STATEMENT EXECUTE FUNCTION adjustment_requests_guard();
