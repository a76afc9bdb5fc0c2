import { getDb } from "@/db/client";
import { env } from "@/lib/env";
import { isCronAuthorized } from "@/lib/http/cron-route";
import { json } from "@/lib/http/responses";
import { opsRedis } from "@/lib/metrics/ops-redis";
import { appMetrics } from "@/lib/metrics/registry";
import { refreshScrapeGauges } from "@/lib/metrics/scrape";
import { EVENTS_STREAM } from "@/lib/stream/names";

export const dynamic = "force-dynamic";

/**
 * Prometheus metrics of this process (text exposition format). Fails closed like the cron routes:
 * without METRICS_TOKEN configured, or without `Authorization: Bearer $METRICS_TOKEN`, 401.
 */
export async function GET(request: Request): Promise<Response> {
  const e = env();
  if (!isCronAuthorized(request, e.METRICS_TOKEN)) {
    return json({ error: "unauthorized", message: "Send `Authorization: Bearer $METRICS_TOKEN`" }, 401, {
      "www-authenticate": 'Bearer realm="metrics"',
    });
  }
  const metrics = appMetrics();
  await refreshScrapeGauges(metrics, {
    db: e.DATABASE_URL ? getDb() : null,
    redis: opsRedis(),
    streamBase: EVENTS_STREAM,
    shards: e.EVENT_STREAM_SHARDS,
    poolMax: e.DB_POOL_MAX,
  });
  return new Response(await metrics.registry.metrics(), {
    headers: { "content-type": metrics.registry.contentType, "cache-control": "no-store" },
  });
}
