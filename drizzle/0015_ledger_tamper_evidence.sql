-- Tamper evidence (issue 9 §6; docs/ledger.md "Tamper evidence"). Custom SQL: the chain columns are
-- the database's own (set by triggers, read by `ledger verify`), so they are not in the Drizzle
-- schema and no select() of the app carries them.
--
-- 1. The ledger guard covers every column but `remaining`, including columns added later: the
-- whole row is compared with the old one, its remaining put back.
CREATE OR REPLACE FUNCTION point_transactions_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  unchanged point_transactions;
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'point_transactions is append-only: DELETE is not allowed' USING ERRCODE = 'insufficient_privilege';
  END IF;
  unchanged := OLD;
  unchanged.remaining := NEW.remaining;
  IF NEW IS DISTINCT FROM unchanged THEN
    RAISE EXCEPTION 'point_transactions is append-only: only an earn lot''s remaining may change'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
-- 2. A hash chain per member over the ledger. Each row: chain_seq (1, 2, … per member), prev_hash
-- (the member's previous row_hash; 32 zero bytes for the first) and row_hash = sha256(prev_hash ||
-- canonical content). The head (last position and hash) lives in the member's balance row, which
-- every writer locks first, so one member's chain is extended by one transaction at a time.
ALTER TABLE "point_transactions" ADD COLUMN "chain_seq" bigint;
--> statement-breakpoint
ALTER TABLE "point_transactions" ADD COLUMN "prev_hash" bytea;
--> statement-breakpoint
ALTER TABLE "point_transactions" ADD COLUMN "row_hash" bytea;
--> statement-breakpoint
ALTER TABLE "point_balances" ADD COLUMN "chain_seq" bigint DEFAULT 0 NOT NULL;
--> statement-breakpoint
ALTER TABLE "point_balances" ADD COLUMN "chain_head" bytea;
--> statement-breakpoint
-- The canonical content of a ledger row: its text form (every column, so one added later is
-- covered without touching this) with `remaining` (it legitimately changes) and the hashes blanked,
-- trailing empty fields dropped (a nullable column added later leaves older rows' content as it
-- was), in UTC and ISO whatever the session's settings. `ledger verify` calls this same function;
-- `seq` overrides the row's position (the backfill). A migration that adds a column with a non-null
-- default changes older rows' content and must re-chain them (docs/ledger.md).
CREATE OR REPLACE FUNCTION point_transaction_content(t point_transactions, seq bigint DEFAULT NULL) RETURNS bytea
  LANGUAGE plpgsql STABLE SET "TimeZone" = 'UTC' SET "DateStyle" = 'ISO, YMD' AS $$
BEGIN
  t.remaining := NULL;
  t.prev_hash := NULL;
  t.row_hash := NULL;
  IF seq IS NOT NULL THEN
    t.chain_seq := seq;
  END IF;
  RETURN convert_to(rtrim(t::text, ',)') || ')', 'UTF8');
END;
$$;
--> statement-breakpoint
-- Links one row to the member's last linked row, found on (member_id, chain_seq): rows inserted
-- earlier by the same statement are visible here, and a row skipped by ON CONFLICT DO NOTHING was
-- never inserted, so it leaves no hole. Writers hold the member's balance-row lock already.
CREATE OR REPLACE FUNCTION point_transactions_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  last_seq bigint;
  last_hash bytea;
BEGIN
  SELECT t.chain_seq, t.row_hash INTO last_seq, last_hash FROM point_transactions t
    WHERE t.member_id = NEW.member_id AND t.chain_seq IS NOT NULL ORDER BY t.chain_seq DESC LIMIT 1;
  NEW.chain_seq := coalesce(last_seq, 0) + 1;
  NEW.prev_hash := coalesce(last_hash, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea);
  NEW.row_hash := NULL;
  NEW.row_hash := sha256(NEW.prev_hash || point_transaction_content(NEW));
  RETURN NEW;
END;
$$;
--> statement-breakpoint
-- The head moves with the balance update every writer makes after its ledger rows (no second update
-- of the row): to the member's last linked row, and only if the row the head named is still there
-- unchanged, so a deleted or rewritten last row stays visible to `ledger verify` instead of being
-- chained over. Nothing else moves it.
CREATE OR REPLACE FUNCTION point_balances_chain_head() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  last_seq bigint;
  last_hash bytea;
BEGIN
  NEW.chain_seq := OLD.chain_seq;
  NEW.chain_head := OLD.chain_head;
  SELECT t.chain_seq, t.row_hash INTO last_seq, last_hash FROM point_transactions t
    WHERE t.member_id = NEW.member_id AND t.chain_seq IS NOT NULL ORDER BY t.chain_seq DESC LIMIT 1;
  IF last_seq > OLD.chain_seq AND (OLD.chain_seq = 0 OR EXISTS (
      SELECT 1 FROM point_transactions t WHERE t.member_id = NEW.member_id AND t.chain_seq = OLD.chain_seq AND t.row_hash = OLD.chain_head)) THEN
    NEW.chain_seq := last_seq;
    NEW.chain_head := last_hash;
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
-- A zero-point row (a memo of spend) may come without a balance update: at commit its head is moved.
CREATE OR REPLACE FUNCTION point_transactions_head_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE point_balances SET updated_at = updated_at WHERE member_id = NEW.member_id AND chain_seq < NEW.chain_seq;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- Set-based chaining of the rows that have no link yet, per member in id order, for members none of
-- whose rows is linked: the ledger as it was before this migration, or a bulk load made with the
-- triggers off (bench/generate-data.ts). Owner only.
CREATE OR REPLACE FUNCTION ledger_chain_step(state bytea, content bytea) RETURNS bytea
  LANGUAGE sql IMMUTABLE AS $$ SELECT sha256(state || content) $$;
--> statement-breakpoint
CREATE AGGREGATE ledger_chain_fold(bytea) (
  SFUNC = ledger_chain_step, STYPE = bytea,
  INITCOND = '\x0000000000000000000000000000000000000000000000000000000000000000'
);
--> statement-breakpoint
CREATE OR REPLACE FUNCTION point_transactions_chain_backfill() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  n bigint;
BEGIN
  WITH s AS (
    SELECT t AS r, t.id, t.member_id, row_number() OVER (PARTITION BY t.member_id ORDER BY t.id) AS seq
    FROM point_transactions t
    WHERE t.chain_seq IS NULL AND NOT EXISTS (SELECT 1 FROM point_transactions c WHERE c.member_id = t.member_id AND c.chain_seq IS NOT NULL)
  ), h AS (
    SELECT id, member_id, seq, ledger_chain_fold(point_transaction_content(r, seq)) OVER (PARTITION BY member_id ORDER BY seq) AS h FROM s
  ), l AS (
    SELECT id, seq, h, coalesce(lag(h) OVER (PARTITION BY member_id ORDER BY seq),
                                '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea) AS prev
    FROM h
  )
  UPDATE point_transactions p SET chain_seq = l.seq, prev_hash = l.prev, row_hash = l.h FROM l WHERE p.id = l.id;
  GET DIAGNOSTICS n = ROW_COUNT;
  UPDATE point_balances b SET chain_seq = x.chain_seq, chain_head = x.row_hash
  FROM (SELECT DISTINCT ON (member_id) member_id, chain_seq, row_hash FROM point_transactions
        WHERE chain_seq IS NOT NULL ORDER BY member_id, chain_seq DESC) x
  WHERE b.member_id = x.member_id AND b.chain_seq < x.chain_seq;
  RETURN n;
END;
$$;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION point_transactions_chain_backfill() FROM PUBLIC;
--> statement-breakpoint
-- The ledger before this migration: chained once here, with the guard off for these statements.
ALTER TABLE "point_transactions" DISABLE TRIGGER point_transactions_append_only;
--> statement-breakpoint
SELECT point_transactions_chain_backfill();
--> statement-breakpoint
ALTER TABLE "point_transactions" ENABLE TRIGGER point_transactions_append_only;
--> statement-breakpoint
-- Not unique on purpose: a second row at one position (a writer that skipped the balance lock) is
-- stored and reported by `ledger verify`, where a unique index would let ON CONFLICT DO NOTHING drop
-- the ledger row silently.
CREATE INDEX "point_transactions_member_chain_idx" ON "point_transactions" USING btree ("member_id", "chain_seq");
--> statement-breakpoint
CREATE TRIGGER point_transactions_chain BEFORE INSERT ON "point_transactions"
  FOR EACH ROW EXECUTE FUNCTION point_transactions_chain();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER point_transactions_head_at_commit AFTER INSERT ON "point_transactions"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.amount = 0) EXECUTE FUNCTION point_transactions_head_at_commit();
--> statement-breakpoint
CREATE TRIGGER point_balances_chain_head BEFORE UPDATE ON "point_balances"
  FOR EACH ROW EXECUTE FUNCTION point_balances_chain_head();
--> statement-breakpoint
-- 3. The audit log: created_at is the database's, and one chain over every entry (audit entries are
-- staff and job actions, a few a second at most, so one head is no bottleneck; it is taken at the
-- entry's insert, after the balance locks of the writers that take any). Head: audit_log_chain_head.
ALTER TABLE "audit_log" ADD COLUMN "chain_seq" bigint;
--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "prev_hash" bytea;
--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "row_hash" bytea;
--> statement-breakpoint
CREATE TABLE "audit_log_chain_head" (
  "id" smallint PRIMARY KEY DEFAULT 1 CHECK ("id" = 1),
  "chain_seq" bigint DEFAULT 0 NOT NULL,
  "chain_head" bytea
);
--> statement-breakpoint
INSERT INTO "audit_log_chain_head" ("id") VALUES (1);
--> statement-breakpoint
-- The canonical content of an entry, as for the ledger (every column but the hashes).
CREATE OR REPLACE FUNCTION audit_log_content(a audit_log) RETURNS bytea
  LANGUAGE plpgsql STABLE SET "TimeZone" = 'UTC' SET "DateStyle" = 'ISO, YMD' AS $$
BEGIN
  a.prev_hash := NULL;
  a.row_hash := NULL;
  RETURN convert_to(rtrim(a::text, ',)') || ')', 'UTF8');
END;
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION audit_log_chain() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = public, pg_catalog AS $$
DECLARE
  head_seq bigint;
  head bytea;
BEGIN
  NEW.created_at := now();
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
-- Entries written before this migration: chained in id order (the audit log refuses every UPDATE,
-- so its guard is off for the length of this statement block).
ALTER TABLE "audit_log" DISABLE TRIGGER audit_log_no_update_delete;
--> statement-breakpoint
DO $$
DECLARE
  a audit_log;
  seq bigint := 0;
  head bytea;
BEGIN
  FOR a IN SELECT * FROM audit_log ORDER BY id LOOP
    seq := seq + 1;
    a.chain_seq := seq;
    a.prev_hash := coalesce(head, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea);
    head := sha256(a.prev_hash || audit_log_content(a));
    UPDATE audit_log SET chain_seq = seq, prev_hash = a.prev_hash, row_hash = head WHERE id = a.id;
  END LOOP;
  UPDATE audit_log_chain_head SET chain_seq = seq, chain_head = head WHERE id = 1;
END;
$$;
--> statement-breakpoint
ALTER TABLE "audit_log" ENABLE TRIGGER audit_log_no_update_delete;
--> statement-breakpoint
CREATE UNIQUE INDEX "audit_log_chain_uq" ON "audit_log" USING btree ("chain_seq");
--> statement-breakpoint
CREATE TRIGGER audit_log_chain BEFORE INSERT ON "audit_log" FOR EACH ROW EXECUTE FUNCTION audit_log_chain();
--> statement-breakpoint
-- 4. Two roles. Migrations run as the owner (whoever runs them: MIGRATION_DATABASE_URL, README); the
-- app connects as a member of loyalty_app, which may read and insert the ledger and the audit log
-- but change only a lot's remaining, and never the chain. Created NOLOGIN when missing, if this role
-- may create roles (otherwise a DBA creates it before this migration runs: without it no grants are given).
-- On the embedded PGlite the app keeps its one role and these grants are harmless.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'loyalty_app') THEN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = current_user AND (rolsuper OR rolcreaterole)) THEN
      RAISE NOTICE 'role loyalty_app is missing and % may not create it: no grants given', current_user;
      RETURN;
    END IF;
    BEGIN
      CREATE ROLE loyalty_app NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL; -- another database of this cluster created it meanwhile
    END;
  END IF;
  GRANT USAGE ON SCHEMA public TO loyalty_app;
  GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO loyalty_app;
  GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO loyalty_app;
  -- Tables added by later migrations (run by this same owner) get the ordinary privileges.
  ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO loyalty_app;
  ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO loyalty_app;
  -- The ledger and the audit log: read and append; a lot's remaining is the one column that changes.
  REVOKE ALL ON point_transactions, lot_allocations, audit_log FROM loyalty_app;
  GRANT SELECT, INSERT ON point_transactions, lot_allocations, audit_log TO loyalty_app;
  GRANT UPDATE (remaining) ON point_transactions TO loyalty_app;
  -- Balance rows: created with a member and updated, never deleted; the chain head only by its trigger.
  REVOKE ALL ON point_balances FROM loyalty_app;
  GRANT SELECT ON point_balances TO loyalty_app;
  GRANT INSERT (member_id, available_points, total_earned, total_redeemed, tier_spend_12m, updated_at),
        UPDATE (available_points, total_earned, total_redeemed, tier_spend_12m, updated_at) ON point_balances TO loyalty_app;
  REVOKE ALL ON audit_log_chain_head FROM loyalty_app;
  GRANT SELECT ON audit_log_chain_head TO loyalty_app;
  -- Migration bookkeeping is the owner's.
  IF EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'drizzle') THEN
    REVOKE ALL ON ALL TABLES IN SCHEMA drizzle FROM loyalty_app;
  END IF;
END;
$$;
