-- The batch path's chain, set-based (issue 9, "chain cost"; docs/ledger.md "Tamper evidence";
-- BENCHMARKS.md). The row triggers of 0015/0018 cost the accrual batch a PL/pgSQL call, an index
-- probe, the row's text and a SHA-256 per ledger row, and a call and a probe per balance row.
-- ledger_append() links all rows of one insert in one statement instead: positions from each
-- member's head (the balance row the writer has locked), one window fold of SHA-256 per member, and
-- the heads moved, with the balance figures, by the one update of each balance row that statement
-- makes from the rows it inserted (no probe). It runs as the owner, and the app role may not insert
-- the chain columns (privileges below), so a row that arrives linked was linked by this function:
-- the app can never supply a link. The single-row writers keep the row triggers, which now fire only
-- for rows that arrive unlinked and for balance updates that leave the head as it was.
--
-- The content hashed is point_transaction_content()'s (`ledger verify` recomputes it from the row as
-- stored): the row with remaining and both hashes blanked, its position set, trailing empty fields
-- dropped, as text in UTC and ISO. The row is built positionally here, so a migration that adds a
-- column to point_transactions must recreate this function (until then the cast below fails: loud,
-- never a wrong hash), and grant the app role INSERT on the new column.

-- One fold step from a member's head: sha256(previous row's hash || content), the first from `head`.
CREATE OR REPLACE FUNCTION ledger_chain_step_from(state bytea, head bytea, content bytea) RETURNS bytea
  LANGUAGE sql IMMUTABLE AS $$ SELECT sha256(coalesce(state, head) || content) $$;
--> statement-breakpoint
CREATE AGGREGATE ledger_chain_fold_from(bytea, bytea) (SFUNC = ledger_chain_step_from, STYPE = bytea);
--> statement-breakpoint
-- Inserts `rows` (their chain columns ignored) linked into their members' chains, each member's rows
-- in id order after its head, in reference order (as the batch path always inserted, so that racing
-- batches wait on each other in one order), ON CONFLICT DO NOTHING; then adds the figures to the
-- members' balance rows and moves each member's head to its last inserted row, in one update per
-- balance row. A row skipped by ON CONFLICT (a reference another transaction took meanwhile) would
-- leave a hole in its member's chain: the statement is refused as a serialization failure, which the
-- batch path retries (and then answers reference_conflict). Callers hold the members' balance locks.
CREATE OR REPLACE FUNCTION ledger_append(rows point_transactions[], member_ids bigint[], points bigint[], earned bigint[],
                                         redeemed bigint[], spend bigint[])
  RETURNS integer LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = public, pg_catalog SET "TimeZone" = 'UTC' SET "DateStyle" = 'ISO, YMD' AS $$
DECLARE
  n integer;
BEGIN
  WITH r AS (
    SELECT x.*, row_number() OVER (PARTITION BY x.member_id ORDER BY x.id) AS k FROM unnest(rows) x
  ), c AS (
    SELECT r.*, coalesce(b.chain_seq, 0) + r.k AS pos,
           coalesce(b.chain_head, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea) AS head,
           -- point_transaction_content(row) of the row as it will be stored (every column, in table order).
           convert_to(rtrim(ROW(r.id, r.member_id, r.type, r.amount, r.reference_type, r.reference_id, r.multiplier, r.campaign_id,
             r.reward_id, r.spend_amount, r.related_transaction_id, r.description, r.created_by, r.occurred_at, r.created_at,
             r.expires_at, NULL, r.request_fingerprint, coalesce(b.chain_seq, 0) + r.k, NULL, NULL, r.vests_at,
             r.applied_rules)::point_transactions::text, ',)') || ')', 'UTF8') AS content
    FROM r LEFT JOIN point_balances b ON b.member_id = r.member_id
  ), h AS (
    SELECT c.*, ledger_chain_fold_from(c.head, c.content) OVER (PARTITION BY c.member_id ORDER BY c.k) AS hash FROM c
  ), ins AS (
    INSERT INTO point_transactions OVERRIDING SYSTEM VALUE
    SELECT h.id, h.member_id, h.type, h.amount, h.reference_type, h.reference_id, h.multiplier, h.campaign_id, h.reward_id,
           h.spend_amount, h.related_transaction_id, h.description, h.created_by, h.occurred_at, h.created_at, h.expires_at,
           h.remaining, h.request_fingerprint, h.pos, coalesce(lag(h.hash) OVER (PARTITION BY h.member_id ORDER BY h.k), h.head),
           h.hash, h.vests_at, h.applied_rules
    FROM h ORDER BY h.reference_type, h.reference_id
    ON CONFLICT DO NOTHING
    RETURNING member_id, chain_seq, row_hash
  ), heads AS (
    SELECT DISTINCT ON (ins.member_id) ins.member_id, ins.chain_seq, ins.row_hash, count(*) OVER (PARTITION BY ins.member_id) AS rows_in
    FROM ins ORDER BY ins.member_id, ins.chain_seq DESC
  ), moved AS (
    UPDATE point_balances AS b
    SET available_points = b.available_points + coalesce(v.points, 0), total_earned = b.total_earned + coalesce(v.earned, 0),
        total_redeemed = b.total_redeemed + coalesce(v.redeemed, 0),
        tier_spend_12m = greatest(b.tier_spend_12m + coalesce(v.spend, 0), 0),
        updated_at = CASE WHEN v.member_id IS NULL THEN b.updated_at ELSE now() END,
        chain_seq = coalesce(heads.chain_seq, b.chain_seq), chain_head = CASE WHEN heads.member_id IS NULL THEN b.chain_head ELSE heads.row_hash END
    FROM unnest(member_ids, points, earned, redeemed, spend) AS v(member_id, points, earned, redeemed, spend)
    FULL JOIN heads ON heads.member_id = v.member_id
    WHERE b.member_id = coalesce(v.member_id, heads.member_id)
    RETURNING 1
  )
  SELECT coalesce(sum(heads.rows_in), 0) INTO n FROM heads;
  IF n < coalesce(cardinality(rows), 0) THEN
    RAISE EXCEPTION 'ledger_append: % of % rows inserted (a reference was taken concurrently)', n, cardinality(rows)
      USING ERRCODE = 'serialization_failure';
  END IF;
  RETURN n;
END;
$$;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION ledger_append(point_transactions[], bigint[], bigint[], bigint[], bigint[], bigint[]) FROM PUBLIC;
--> statement-breakpoint
-- The row trigger links only rows that arrive unlinked (everything but ledger_append's rows).
DROP TRIGGER point_transactions_chain ON point_transactions;
--> statement-breakpoint
CREATE TRIGGER point_transactions_chain BEFORE INSERT ON point_transactions FOR EACH ROW
  WHEN (NEW.chain_seq IS NULL OR NEW.prev_hash IS NULL OR NEW.row_hash IS NULL) EXECUTE FUNCTION point_transactions_chain();
--> statement-breakpoint
-- The head trigger moves the head on balance updates that leave it as it was (every writer but
-- ledger_append, which sets it itself; only the owner may write these columns).
DROP TRIGGER point_balances_chain_head ON point_balances;
--> statement-breakpoint
CREATE TRIGGER point_balances_chain_head BEFORE UPDATE ON point_balances FOR EACH ROW
  WHEN (NEW.chain_seq = OLD.chain_seq AND NEW.chain_head IS NOT DISTINCT FROM OLD.chain_head) EXECUTE FUNCTION point_balances_chain_head();
--> statement-breakpoint
-- The app role inserts every column of a ledger row but the chain's, and may call ledger_append.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'loyalty_app') THEN
    REVOKE INSERT ON point_transactions FROM loyalty_app;
    GRANT INSERT (id, member_id, type, amount, reference_type, reference_id, multiplier, campaign_id, reward_id, spend_amount,
                  related_transaction_id, description, created_by, occurred_at, created_at, expires_at, remaining,
                  request_fingerprint, vests_at, applied_rules) ON point_transactions TO loyalty_app;
    GRANT EXECUTE ON FUNCTION ledger_append(point_transactions[], bigint[], bigint[], bigint[], bigint[], bigint[]) TO loyalty_app;
  END IF;
END;
$$;
