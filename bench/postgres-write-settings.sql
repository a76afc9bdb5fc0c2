-- PostgreSQL settings for a write-heavy ledger, as the benchmarks in BENCHMARKS.md ran them.
-- All three take effect on a reload; no restart. Apply as a superuser:
--   psql -h 127.0.0.1 -U postgres -f bench/postgres-write-settings.sql
-- and undo with ALTER SYSTEM RESET max_wal_size; (and the two others) then SELECT pg_reload_conf();
--
-- Why: an accrual touches random pages (a member's balance row, its entries in the member_id and
-- open-lot indexes), and the first change of a page after a checkpoint writes the whole 8 KB page
-- into the WAL. Measured with bench/pgbench/accrual-batch.sql, 8 clients, 30 s, 1M members:
--   defaults (max_wal_size 1 GB, checkpoint_timeout 5 min): a checkpoint forced every ~3 s,
--     18.6 batches/s, 4.8 GB of WAL holding 635K full-page images;
--   these settings: no checkpoint in the run, 35.4 batches/s, 1.1 GB of WAL, 141K page images.

-- Room for 16 GB of WAL between checkpoints: ~8 minutes at the measured peak (~35 MB/s), so a
-- checkpoint comes every 8 to 15 minutes instead of every few seconds. The disk must hold it.
ALTER SYSTEM SET max_wal_size = '16GB';
-- A hot page is then imaged once per checkpoint, not once per few seconds. The price: crash
-- recovery replays up to this much WAL, so it takes longer.
ALTER SYSTEM SET checkpoint_timeout = '15min';
-- The page images that remain are compressed: 37% less WAL per batch (and replica/archive
-- traffic), measured at the same throughput.
ALTER SYSTEM SET wal_compression = 'lz4';
SELECT pg_reload_conf();
