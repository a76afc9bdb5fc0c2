import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { env } from "@/lib/env";

export interface WebhookPruneSummary {
  retentionDays: number;
  cutoff: string;
  deliveriesPruned: number;
  orphanDeliveriesPruned: number;
  eventsPruned: number;
}

const DAY_MS = 86_400_000;

/**
 * The outbox's pruning job (docs/webhooks.md, Retention; `jobs run webhooks-prune`,
 * /api/cron/prune-webhooks, nightly). In batches, each its own short statement:
 *
 * 1. Finished deliveries (delivered, or failed after the last attempt) whose last attempt is older
 *    than the retention, over webhook_deliveries_finished_idx. A pending delivery, retrying or not
 *    yet tried, is never taken; nor is one an admin sent back to pending meanwhile (the status is
 *    checked again on the row deleted).
 * 2. Deliveries of endpoints that no longer exist (deleting an endpoint deletes its deliveries; one
 *    a concurrent outbox write added after that is never claimed), found by a skip scan of
 *    webhook_deliveries_endpoint_idx.
 * 3. Events older than the retention that have no delivery left. Only the outbox trigger writes
 *    deliveries, in the statement that writes their event, so such an event gets none later.
 *    Walked in id order (created_at follows it, to within concurrent transactions' start times).
 *
 * Idempotent: a second run finds nothing. Retention: WEBHOOK_RETENTION_DAYS (default 30).
 */
export async function pruneWebhooks(db: Db, options: { now: Date; retentionDays?: number; batchSize?: number }): Promise<WebhookPruneSummary> {
  const retentionDays = options.retentionDays ?? env().WEBHOOK_RETENTION_DAYS;
  const batchSize = options.batchSize ?? 5000;
  const cutoff = new Date(options.now.getTime() - retentionDays * DAY_MS).toISOString();

  let deliveriesPruned = 0;
  for (;;) {
    const [row] = await queryRows<{ n: number }>(
      db,
      sql`WITH gone AS (
            DELETE FROM webhook_deliveries d
            WHERE d.id IN (
                SELECT id FROM webhook_deliveries
                WHERE status <> 'pending' AND last_attempt_at < ${cutoff}::timestamptz
                ORDER BY last_attempt_at LIMIT ${batchSize})
              AND d.status <> 'pending' AND d.last_attempt_at < ${cutoff}::timestamptz
            RETURNING 1)
          SELECT count(*)::int AS n FROM gone`,
    );
    deliveriesPruned += row!.n;
    if (row!.n < batchSize) break;
  }

  let orphanDeliveriesPruned = 0;
  const orphans = await queryRows<{ endpoint_id: number }>(
    db,
    sql`WITH RECURSIVE ids AS (
          (SELECT endpoint_id FROM webhook_deliveries ORDER BY endpoint_id LIMIT 1)
          UNION ALL
          SELECT (SELECT d.endpoint_id FROM webhook_deliveries d WHERE d.endpoint_id > ids.endpoint_id ORDER BY d.endpoint_id LIMIT 1)
          FROM ids WHERE ids.endpoint_id IS NOT NULL)
        SELECT endpoint_id::float8 AS endpoint_id FROM ids
        WHERE endpoint_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM webhook_endpoints ep WHERE ep.id = ids.endpoint_id)`,
  );
  for (const { endpoint_id: endpointId } of orphans) {
    for (;;) {
      const [row] = await queryRows<{ n: number }>(
        db,
        sql`WITH gone AS (
              DELETE FROM webhook_deliveries
              WHERE id IN (SELECT id FROM webhook_deliveries WHERE endpoint_id = ${endpointId} LIMIT ${batchSize})
                AND NOT EXISTS (SELECT 1 FROM webhook_endpoints ep WHERE ep.id = ${endpointId})
              RETURNING 1)
            SELECT count(*)::int AS n FROM gone`,
      );
      orphanDeliveriesPruned += row!.n;
      if (row!.n < batchSize) break;
    }
  }

  let eventsPruned = 0;
  let after = 0;
  for (;;) {
    // One chunk of ids from the cursor; those old enough and without deliveries go.
    const [row] = await queryRows<{ n: number; last: number | null; old: number }>(
      db,
      sql`WITH chunk AS (
            SELECT id, created_at FROM webhook_events WHERE id > ${after} ORDER BY id LIMIT ${batchSize}
          ), gone AS (
            DELETE FROM webhook_events e USING chunk c
            WHERE e.id = c.id AND c.created_at < ${cutoff}::timestamptz
              AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id)
            RETURNING 1)
          SELECT (SELECT count(*)::int FROM gone) AS n, (SELECT max(id)::float8 FROM chunk) AS last,
                 (SELECT count(*)::int FROM chunk WHERE created_at < ${cutoff}::timestamptz) AS old`,
    );
    eventsPruned += row!.n;
    // Past the retention: the rest of the table is newer (no row of this chunk was old enough).
    if (row!.last === null || row!.old === 0) break;
    after = row!.last;
  }

  return { retentionDays, cutoff, deliveriesPruned, orphanDeliveriesPruned, eventsPruned };
}
