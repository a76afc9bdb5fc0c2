import { sql } from "drizzle-orm";
import type { Redis } from "ioredis";
import { queryRows, type Db } from "@/db/client";
import { ACCRUAL_GROUP } from "@/lib/stream/names";
import { shardStream } from "@/lib/stream/shards";
import type { AppMetrics } from "./registry";

export interface ScrapeSources {
  /** Null on the embedded database (one process; no server to ask). */
  db: Db | null;
  /** The database whose webhook outbox to measure (the embedded one too: its dev server delivers). */
  webhooksDb?: Db | null;
  redis?: Redis;
  streamBase: string;
  shards: number;
  poolMax: number;
}

/** XINFO GROUPS' flat [key, value, …] reply of one group as an object. */
function pairs(reply: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < reply.length; i += 2) out[String(reply[i])] = reply[i + 1];
  return out;
}

/**
 * Stream lag per shard, as Redis itself counts it: entries added but not yet delivered to the
 * accrual group (`lag`), and entries delivered but not acknowledged (`pending`). Read from Redis at
 * scrape time, so the app reports the workers' backlog although the workers run elsewhere. A shard
 * whose group does not exist yet lags by its whole length.
 */
async function scrapeStreams(metrics: AppMetrics, redis: Redis, base: string, shards: number): Promise<void> {
  metrics.streamLag.reset();
  metrics.streamPending.reset();
  await Promise.all(
    Array.from({ length: shards }, async (_, shard) => {
      const stream = shardStream(base, shard, shards);
      const labels = { shard: String(shard), stream };
      let groups: unknown[][];
      try {
        groups = (await redis.xinfo("GROUPS", stream)) as unknown[][];
      } catch {
        return; // no such stream yet: nothing published, nothing behind
      }
      const group = groups.map(pairs).find((g) => g.name === ACCRUAL_GROUP);
      if (!group) {
        metrics.streamLag.set(labels, await redis.xlen(stream));
        metrics.streamPending.set(labels, 0);
        return;
      }
      // lag is nil when Redis cannot tell (entries deleted past the group's position): the length is the bound.
      const lag = group.lag === null || group.lag === undefined ? await redis.xlen(stream) : Number(group.lag);
      metrics.streamLag.set(labels, lag);
      metrics.streamPending.set(labels, Number(group.pending ?? 0));
    }),
  );
}

/**
 * Pool usage: postgres.js keeps its pool's queues private, so the figure is the server's view —
 * the app's connections to this database by state (active, idle, idle in transaction), every
 * process summed — next to the per-process maximum.
 */
async function scrapeConnections(metrics: AppMetrics, db: Db, poolMax: number): Promise<void> {
  const rows = await queryRows<{ state: string; n: number }>(
    db,
    sql`SELECT coalesce(state, 'unknown') AS state, count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND application_name = 'loyalty' GROUP BY 1`,
  );
  metrics.dbConnections.reset();
  for (const state of ["active", "idle", "idle in transaction"]) metrics.dbConnections.set({ state }, 0);
  for (const row of rows) metrics.dbConnections.set({ state: row.state }, row.n);
  metrics.dbPoolMax.set(poolMax);
}

/**
 * The webhook backlog, read at scrape time so it covers every delivery process: deliveries pending
 * to enabled endpoints (a disabled endpoint's wait on purpose) and how long the oldest has waited
 * since its event was written. Both come from webhook_deliveries_due_idx's rows (status pending),
 * so the cost is the backlog's size, not the log's.
 */
async function scrapeWebhooks(metrics: AppMetrics, db: Db): Promise<void> {
  const [row] = await queryRows<{ pending: number; oldest_age: number | string | null }>(
    db,
    sql`SELECT count(*)::int AS pending, extract(epoch FROM now() - min(d.created_at))::float8 AS oldest_age
        FROM webhook_deliveries d JOIN webhook_endpoints ep ON ep.id = d.endpoint_id AND ep.enabled
        WHERE d.status = 'pending'`,
  );
  metrics.webhookPending.set(row?.pending ?? 0);
  metrics.webhookOldestPendingAge.set(Math.max(0, Number(row?.oldest_age ?? 0)));
}

/** Refreshes the gauges read from outside the process; a source that fails leaves its gauges out of this scrape. */
export async function refreshScrapeGauges(metrics: AppMetrics, sources: ScrapeSources): Promise<void> {
  await Promise.allSettled([
    sources.redis ? scrapeStreams(metrics, sources.redis, sources.streamBase, sources.shards) : undefined,
    sources.db ? scrapeConnections(metrics, sources.db, sources.poolMax) : undefined,
    sources.webhooksDb ? scrapeWebhooks(metrics, sources.webhooksDb) : undefined,
  ]);
}
