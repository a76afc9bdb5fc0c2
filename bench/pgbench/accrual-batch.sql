-- The statements recordEvents sends for a batch of :batch purchases, with the batch built inside
-- PostgreSQL: the direct-SQL ceiling the Node path is compared with (same locks, same indexes,
-- same set-based writes, no driver, no planning in JavaScript). Keep it in step with
-- lib/loyalty/accrual/load-accrual-context.ts and accrual.ts.
\set seed random(1, 2000000000)
BEGIN;
SELECT * FROM program_settings WHERE id = 1;
SELECT * FROM tiers;
SELECT * FROM campaigns WHERE paused_at IS NULL AND archived_at IS NULL AND starts_at <= now() AND ends_at > now();
-- lockMembersByExternalIds: resolve the members and lock their balance rows in member-id order
WITH m AS MATERIALIZED (
  SELECT id, external_id, tier FROM members
  WHERE external_id = ANY(ARRAY(SELECT 'm' || (1 + abs(hashint8(:seed::bigint * 1000 + g)) % :members) FROM generate_series(1, :batch) g)))
SELECT m.id, m.external_id, m.tier, b.available_points
FROM point_balances b JOIN m ON m.id = b.member_id
WHERE b.member_id = ANY(ARRAY(SELECT id FROM m))
ORDER BY b.member_id FOR UPDATE OF b;
-- findByReferences
SELECT * FROM point_transactions
  WHERE reference_type = 'purchase' AND reference_id = ANY(ARRAY(SELECT 'pg' || :seed || '-' || g FROM generate_series(1, :batch) g));
-- reserveIds
SELECT string_agg(nextval('point_transactions_id_seq'::regclass)::text, ',') FROM generate_series(1, :batch);
-- insertLedgerRows: the rows linked into their members' chains, and applyBalanceChanges' figures
-- with each member's chain head, in one statement (ledger_append, drizzle/0028)
WITH e AS (
  SELECT g, 1 + abs(hashint8(:seed::bigint * 1000 + g)) % :members AS member_id, 100 + abs(hashint8(-(:seed::bigint * 1000 + g))) % 20000 AS cents
  FROM generate_series(1, :batch) g
), v AS (SELECT member_id, sum(cents / 100)::bigint AS points, sum(cents)::bigint AS spend FROM e GROUP BY 1)
SELECT ledger_append(
  ARRAY(SELECT ROW(nextval('point_transactions_id_seq'::regclass), e.member_id, 'earn', e.cents / 100, 'purchase', 'pg' || :seed || '-' || e.g, 1,
                   NULL, NULL, e.cents, NULL, NULL, 'api:pgbench', now(), now(), now() + interval '12 months', e.cents / 100, NULL, NULL, NULL, NULL,
                   NULL, NULL)::point_transactions FROM e),
  ARRAY(SELECT member_id FROM v), ARRAY(SELECT points FROM v), ARRAY(SELECT points FROM v), ARRAY(SELECT 0::bigint FROM v),
  ARRAY(SELECT spend FROM v));
COMMIT;
