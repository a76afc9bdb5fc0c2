-- The ledger chain without its (member_id, chain_seq) index (issue 9, "chain cost"; BENCHMARKS.md):
-- one more entry per ledger row at a random place of one more index cost the batch path about as
-- much as computing the links. Nothing needs it any more: ledger_append (0028) links from the head
-- kept in the balance row, and so do the row triggers now.
--
-- The row trigger links a row after the member's head (the balance row, which the writer has locked)
-- or after the rows linked since the head last moved: those are this transaction's, the member's
-- newest ids, so they are read on point_transactions_member_id_idx from the newest down to the head.
-- Like ledger_append, it links to the head even if the row the head names is gone or was rewritten,
-- so the chain records what the head said and `ledger verify` reports the row as deleted or edited.
CREATE OR REPLACE FUNCTION point_transactions_chain() RETURNS trigger LANGUAGE plpgsql
  SET "TimeZone" = 'UTC' SET "DateStyle" = 'ISO, YMD' AS $$
DECLARE
  head_seq bigint;
  last_seq bigint;
  last_hash bytea;
  r record;
  content point_transactions;
BEGIN
  SELECT b.chain_seq, b.chain_head INTO head_seq, last_hash FROM point_balances b WHERE b.member_id = NEW.member_id;
  head_seq := coalesce(head_seq, 0);
  last_seq := head_seq;
  FOR r IN SELECT t.chain_seq, t.row_hash FROM point_transactions t
           WHERE t.member_id = NEW.member_id AND t.chain_seq IS NOT NULL ORDER BY t.id DESC LOOP
    EXIT WHEN r.chain_seq <= head_seq;
    IF r.chain_seq > last_seq THEN
      last_seq := r.chain_seq;
      last_hash := r.row_hash;
    END IF;
  END LOOP;
  NEW.chain_seq := last_seq + 1;
  NEW.prev_hash := coalesce(last_hash, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea);
  NEW.row_hash := NULL;
  -- point_transaction_content(NEW), inline.
  content := NEW;
  content.remaining := NULL;
  content.prev_hash := NULL;
  NEW.row_hash := sha256(NEW.prev_hash || convert_to(rtrim(content::text, ',)') || ')', 'UTF8'));
  RETURN NEW;
END;
$$;
--> statement-breakpoint
-- The head trigger (balance updates that leave the head as it was: every writer but ledger_append)
-- moves the head to the member's last linked row when the row after the head links to it, reading
-- the rows linked since it last moved the same way. A row after it that links elsewhere was not
-- linked by these triggers: the head stays and `ledger verify` reports it.
CREATE OR REPLACE FUNCTION point_balances_chain_head() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  r record;
  last_seq bigint;
  last_hash bytea;
  linked boolean := false;
BEGIN
  NEW.chain_seq := OLD.chain_seq;
  NEW.chain_head := OLD.chain_head;
  FOR r IN SELECT t.chain_seq, t.prev_hash, t.row_hash FROM point_transactions t
           WHERE t.member_id = NEW.member_id AND t.chain_seq IS NOT NULL ORDER BY t.id DESC LOOP
    EXIT WHEN r.chain_seq <= OLD.chain_seq;
    IF last_seq IS NULL OR r.chain_seq > last_seq THEN
      last_seq := r.chain_seq;
      last_hash := r.row_hash;
    END IF;
    IF r.chain_seq = OLD.chain_seq + 1
       AND r.prev_hash = coalesce(OLD.chain_head, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea) THEN
      linked := true;
    END IF;
  END LOOP;
  IF linked THEN
    NEW.chain_seq := last_seq;
    NEW.chain_head := last_hash;
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
DROP INDEX IF EXISTS "point_transactions_member_chain_idx";
--> statement-breakpoint
-- ledger_append's fold step in PL/pgSQL: a simple expression per row, a little cheaper in an
-- aggregate than a SQL function (about 0.5 ms of a 500-row batch).
CREATE OR REPLACE FUNCTION ledger_chain_step_from(state bytea, head bytea, content bytea) RETURNS bytea
  LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  RETURN sha256(coalesce(state, head) || content);
END;
$$;
