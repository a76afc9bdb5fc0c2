-- The statements recordEvents sends for a batch of :batch purchases, with the batch built inside
-- PostgreSQL: the direct-SQL ceiling the Node path is compared with (same locks, same indexes,
-- same set-based writes, no driver, no planning in JavaScript). Keep it in step with
-- lib/loyalty/accrual-context.ts and accrual.ts.
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
-- insertLedgerRows
WITH inserted AS (
  INSERT INTO point_transactions (member_id, type, amount, reference_type, reference_id, multiplier, spend_amount, created_by, occurred_at, expires_at, remaining)
  SELECT e.member_id, 'earn', e.cents / 100, 'purchase', 'pg' || :seed || '-' || e.g, 1, e.cents, 'api:pgbench', now(), now() + interval '12 months', e.cents / 100
  FROM (SELECT g, 1 + abs(hashint8(:seed::bigint * 1000 + g)) % :members AS member_id, 100 + abs(hashint8(-(:seed::bigint * 1000 + g))) % 20000 AS cents
        FROM generate_series(1, :batch) g) e
  ORDER BY 4, 5
  ON CONFLICT DO NOTHING
  RETURNING 1)
SELECT count(*) FROM inserted;
-- applyBalanceChanges: balance, lifetime totals and live tier spend, one row per member
UPDATE point_balances AS b
SET available_points = b.available_points + v.points, total_earned = b.total_earned + v.points,
    total_redeemed = b.total_redeemed, tier_spend_12m = greatest(b.tier_spend_12m + v.spend, 0), updated_at = now()
FROM (SELECT 1 + abs(hashint8(:seed::bigint * 1000 + g)) % :members AS member_id,
             sum((100 + abs(hashint8(-(:seed::bigint * 1000 + g))) % 20000) / 100) AS points,
             sum(100 + abs(hashint8(-(:seed::bigint * 1000 + g))) % 20000) AS spend
      FROM generate_series(1, :batch) g GROUP BY 1) v
WHERE b.member_id = v.member_id;
COMMIT;
