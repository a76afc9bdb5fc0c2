-- The statements recordEvents sends for a batch of :batch purchases, with the batch built inside
-- PostgreSQL: the direct-SQL ceiling the Node path is compared with (same locks, same indexes,
-- same set-based writes, no driver, no planning in JavaScript).
\set seed random(1, 2000000000)
BEGIN;
SELECT * FROM program_settings WHERE id = 1;
SELECT * FROM tiers;
SELECT * FROM campaigns WHERE paused_at IS NULL AND archived_at IS NULL AND starts_at <= now() AND ends_at > now();
SELECT id, external_id, tier FROM members
  WHERE external_id IN (SELECT 'm' || (1 + abs(hashint8(:seed::bigint * 1000 + g)) % :members) FROM generate_series(1, :batch) g);
SELECT member_id, available_points FROM point_balances
  WHERE member_id IN (SELECT 1 + abs(hashint8(:seed::bigint * 1000 + g)) % :members FROM generate_series(1, :batch) g)
  ORDER BY member_id FOR UPDATE;
SELECT * FROM point_transactions
  WHERE reference_type = 'purchase' AND reference_id IN (SELECT 'pg' || :seed || '-' || g FROM generate_series(1, :batch) g);
SELECT nextval(pg_get_serial_sequence('point_transactions', 'id')) FROM generate_series(1, :batch);
INSERT INTO point_transactions (member_id, type, amount, reference_type, reference_id, multiplier, spend_amount, created_by, occurred_at, expires_at, remaining)
  SELECT e.member_id, 'earn', e.cents / 100, 'purchase', 'pg' || :seed || '-' || e.g, 1, e.cents, 'api:pgbench', now(), now() + interval '12 months', e.cents / 100
  FROM (SELECT g, 1 + abs(hashint8(:seed::bigint * 1000 + g)) % :members AS member_id, 100 + abs(hashint8(-(:seed::bigint * 1000 + g))) % 20000 AS cents
        FROM generate_series(1, :batch) g) e
  ORDER BY 5
  ON CONFLICT DO NOTHING RETURNING id;
UPDATE point_balances AS b SET available_points = b.available_points + v.delta, updated_at = now()
  FROM (SELECT 1 + abs(hashint8(:seed::bigint * 1000 + g)) % :members AS member_id, sum((100 + abs(hashint8(-(:seed::bigint * 1000 + g))) % 20000) / 100) AS delta
        FROM generate_series(1, :batch) g GROUP BY 1) v
  WHERE b.member_id = v.member_id;
UPDATE members AS m SET total_earned = m.total_earned + v.delta
  FROM (SELECT 1 + abs(hashint8(:seed::bigint * 1000 + g)) % :members AS member_id, sum((100 + abs(hashint8(-(:seed::bigint * 1000 + g))) % 20000) / 100) AS delta
        FROM generate_series(1, :batch) g GROUP BY 1) v
  WHERE m.id = v.member_id;
COMMIT;
