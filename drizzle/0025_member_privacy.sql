ALTER TABLE "members" ADD COLUMN "erased_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "members" ADD COLUMN "erased_id_digest" text;--> statement-breakpoint
CREATE INDEX "members_erased_id_digest_idx" ON "members" USING btree ("erased_id_digest") WHERE "members"."erased_id_digest" is not null;--> statement-breakpoint
-- Member privacy (issue 13; docs/privacy.md, SECURITY.md "Erasure and the audit chain").
-- 1. Every new audit entry gets a random salt, part of the content its hash covers. Erasure blanks
-- it with the personal values, so the entry's kept row_hash cannot be used to confirm a guessed
-- email or name. Entries older than this migration have none (their content is unchanged: a
-- trailing empty field is dropped by audit_log_content).
ALTER TABLE "audit_log" ADD COLUMN "salt" text;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION audit_log_chain() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = public, pg_catalog AS $$
DECLARE
  head_seq bigint;
  head bytea;
BEGIN
  NEW.created_at := now();
  NEW.salt := gen_random_uuid()::text;
  SELECT h.chain_seq, h.chain_head INTO head_seq, head FROM audit_log_chain_head h WHERE h.id = 1 FOR UPDATE;
  NEW.chain_seq := head_seq + 1;
  NEW.prev_hash := coalesce(head, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea);
  NEW.row_hash := NULL;
  NEW.row_hash := sha256(NEW.prev_hash || audit_log_content(NEW));
  UPDATE audit_log_chain_head SET chain_seq = NEW.chain_seq, chain_head = NEW.row_hash WHERE id = 1;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
-- 2. The audit log stays append-only, with one exception: audit_log_redact() (below) may replace
-- the personal fields of one entry (actor, target_id, reason, before, after) and blank its salt,
-- never anything else (id, action, member, time, chain). It marks the entry it is redacting in a
-- transaction-local setting; only the owner of the table holds UPDATE on it at all.
CREATE OR REPLACE FUNCTION audit_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  kept audit_log;
BEGIN
  IF TG_OP = 'UPDATE' AND current_setting('loyalty.audit_redaction', true) = OLD.id::text AND NEW.salt IS NULL THEN
    kept := NEW;
    kept.actor := OLD.actor;
    kept.target_id := OLD.target_id;
    kept.reason := OLD.reason;
    kept.before := OLD.before;
    kept.after := OLD.after;
    kept.salt := OLD.salt;
    IF kept IS NOT DISTINCT FROM OLD THEN
      RETURN NEW;
    END IF;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
DROP TRIGGER IF EXISTS audit_log_no_update_delete ON "audit_log";
--> statement-breakpoint
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON "audit_log"
  FOR EACH ROW EXECUTE FUNCTION audit_log_guard();
--> statement-breakpoint
-- 3. An 'audit.redact' entry is what lets `ledger verify` accept a redacted entry, so only
-- audit_log_redact() may write one: the setting must name its target and the writer must be the
-- table's owner (inside the SECURITY DEFINER function it is; the app's role never is).
CREATE OR REPLACE FUNCTION audit_log_redaction_entries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.action = 'audit.redact' AND (
       current_setting('loyalty.audit_redaction', true) IS DISTINCT FROM NEW.target_id
       OR NOT pg_has_role(current_user, (SELECT c.relowner FROM pg_class c WHERE c.oid = 'audit_log'::regclass), 'MEMBER')) THEN
    RAISE EXCEPTION 'audit.redact entries are written by audit_log_redact() only' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER audit_log_redaction_entries BEFORE INSERT ON "audit_log"
  FOR EACH ROW EXECUTE FUNCTION audit_log_redaction_entries();
--> statement-breakpoint
-- 4. Redaction of one entry: its personal fields replaced, its salt blanked, its chain columns kept
-- (so the next entry still links to it), and an appended, chained 'audit.redact' entry recording
-- which fields changed, the entry's row_hash and the hash of its new content
-- (sha256(prev_hash || audit_log_content(entry))). `ledger verify` accepts an entry whose hash no
-- longer matches its content only when the latest such record after it names exactly this row_hash
-- and this content. Returns the redaction entry's id, or NULL when nothing would change.
CREATE OR REPLACE FUNCTION audit_log_redact(entry_id bigint, new_actor text, new_target_id text, new_reason text,
    new_before jsonb, new_after jsonb, by_actor text, why text, about_member bigint) RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_catalog AS $$
DECLARE
  old_row audit_log;
  new_row audit_log;
  fields text[] := '{}';
  event_id bigint;
BEGIN
  SELECT * INTO old_row FROM audit_log WHERE id = entry_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no audit entry %', entry_id USING ERRCODE = 'no_data_found';
  END IF;
  IF old_row.action = 'audit.redact' OR old_row.row_hash IS NULL THEN
    RAISE EXCEPTION 'audit entry % cannot be redacted', entry_id USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF new_actor IS DISTINCT FROM old_row.actor THEN fields := fields || 'actor'::text; END IF;
  IF new_target_id IS DISTINCT FROM old_row.target_id THEN fields := fields || 'target_id'::text; END IF;
  IF new_reason IS DISTINCT FROM old_row.reason THEN fields := fields || 'reason'::text; END IF;
  IF new_before IS DISTINCT FROM old_row.before THEN fields := fields || 'before'::text; END IF;
  IF new_after IS DISTINCT FROM old_row.after THEN fields := fields || 'after'::text; END IF;
  IF cardinality(fields) = 0 THEN
    RETURN NULL;
  END IF;
  PERFORM set_config('loyalty.audit_redaction', entry_id::text, true);
  UPDATE audit_log SET actor = new_actor, target_id = new_target_id, reason = new_reason, before = new_before,
         after = new_after, salt = NULL
    WHERE id = entry_id RETURNING * INTO new_row;
  INSERT INTO audit_log (actor, action, target_type, target_id, member_id, reason, after)
    VALUES (by_actor, 'audit.redact', 'audit_log', entry_id::text, about_member, why,
            jsonb_build_object('fields', to_jsonb(fields), 'rowHash', encode(new_row.row_hash, 'hex'),
                               'contentHash', encode(sha256(new_row.prev_hash || audit_log_content(new_row)), 'hex')))
    RETURNING id INTO event_id;
  PERFORM set_config('loyalty.audit_redaction', '', true);
  RETURN event_id;
END;
$$;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION audit_log_redact(bigint, text, text, text, jsonb, jsonb, text, text, bigint) FROM PUBLIC;
--> statement-breakpoint
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'loyalty_app') THEN
    GRANT EXECUTE ON FUNCTION audit_log_redact(bigint, text, text, text, jsonb, jsonb, text, text, bigint) TO loyalty_app;
  END IF;
END;
$$;
