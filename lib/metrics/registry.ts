import { collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { onAccrualBatch } from "@/lib/loyalty/accrual/measurements";

/**
 * The process's Prometheus metrics (prom-client), served by /api/metrics. One registry per
 * process, kept on globalThis: Next.js may load this module in several module graphs, and two
 * registries would each see half the requests. Names follow Prometheus conventions: `_seconds`,
 * `_total`, base units, a `loyalty_` prefix.
 */
export interface AppMetrics {
  registry: Registry;
  httpRequestDuration: Histogram<"route" | "method" | "status">;
  accrualBatchEvents: Histogram;
  accrualBatchDuration: Histogram;
  jobDuration: Histogram<"job" | "outcome">;
  streamLag: Gauge<"shard" | "stream">;
  streamPending: Gauge<"shard" | "stream">;
  dbConnections: Gauge<"state">;
  dbPoolMax: Gauge;
  webhookPending: Gauge;
  webhookOldestPendingAge: Gauge;
}

function createMetrics(): AppMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "loyalty_" });
  const registers = [registry];
  const metrics: AppMetrics = {
    registry,
    httpRequestDuration: new Histogram({
      name: "loyalty_http_request_duration_seconds",
      help: "REST API requests by route template, method and status (the _count is the request rate)",
      labelNames: ["route", "method", "status"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    accrualBatchEvents: new Histogram({
      name: "loyalty_accrual_batch_events",
      help: "Events per accrual batch written in this process (batch API, grouped single events)",
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000],
      registers,
    }),
    accrualBatchDuration: new Histogram({
      name: "loyalty_accrual_batch_duration_seconds",
      help: "Time of an accrual batch's database transaction, retries included",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    jobDuration: new Histogram({
      name: "loyalty_job_duration_seconds",
      help: "Jobs run by this process (cron routes, the console's tier recalculation) by outcome",
      labelNames: ["job", "outcome"],
      buckets: [0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600, 1800],
      registers,
    }),
    streamLag: new Gauge({
      name: "loyalty_stream_lag_entries",
      help: "Entries of each event stream shard not yet delivered to the accrual consumer group (XINFO GROUPS lag)",
      labelNames: ["shard", "stream"],
      registers,
    }),
    streamPending: new Gauge({
      name: "loyalty_stream_pending_entries",
      help: "Entries of each shard delivered to a worker but not yet acknowledged",
      labelNames: ["shard", "stream"],
      registers,
    }),
    dbConnections: new Gauge({
      name: "loyalty_db_connections",
      help: "Connections of the app (every process, application_name loyalty) to this database, by state (pg_stat_activity)",
      labelNames: ["state"],
      registers,
    }),
    dbPoolMax: new Gauge({ name: "loyalty_db_pool_max", help: "Connections each process's pool may open (DB_POOL_MAX)", registers }),
    webhookPending: new Gauge({
      name: "loyalty_webhook_outbox_pending",
      help: "Webhook deliveries waiting to be sent (pending, due or retrying) to enabled endpoints",
      registers,
    }),
    webhookOldestPendingAge: new Gauge({
      name: "loyalty_webhook_outbox_oldest_pending_age_seconds",
      help: "Age of the oldest webhook delivery still pending to an enabled endpoint (0 when none is)",
      registers,
    }),
  };
  onAccrualBatch((batch) => {
    metrics.accrualBatchEvents.observe(batch.events);
    metrics.accrualBatchDuration.observe(batch.durationMs / 1000);
  });
  return metrics;
}

const globalForMetrics = globalThis as unknown as { __loyaltyMetrics?: AppMetrics };

export function appMetrics(): AppMetrics {
  return (globalForMetrics.__loyaltyMetrics ??= createMetrics());
}

/** Times a job and records its outcome ("ok" or "error"); the job's result or error passes through. */
export async function timeJob<T>(job: string, run: () => Promise<T>): Promise<T> {
  const end = appMetrics().jobDuration.startTimer({ job });
  try {
    const result = await run();
    end({ outcome: "ok" });
    return result;
  } catch (error) {
    end({ outcome: "error" });
    throw error;
  }
}
