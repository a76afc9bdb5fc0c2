import { dbHandle } from "@/db/client";
import { env } from "@/lib/env";
import { isCronAuthorized } from "@/lib/http/cron-route";
import { json } from "@/lib/http/responses";
import { opsRedis } from "@/lib/metrics/ops-redis";
import { appMetrics } from "@/lib/metrics/registry";
import { refreshScrapeGauges } from "@/lib/metrics/scrape";
import { EVENTS_STREAM } from "@/lib/stream/names";
import { otherMethods } from "@/lib/http/methods";

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
  const handle = dbHandle();
  await refreshScrapeGauges(metrics, {
    db: handle.kind === "postgres" ? handle.db : null,
    webhooksDb: handle.db,
    redis: opsRedis(),
    streamBase: EVENTS_STREAM,
    shards: e.EVENT_STREAM_SHARDS,
    poolMax: e.DB_POOL_MAX,
  });
  return new Response(await metrics.registry.metrics(), {
    headers: { "content-type": metrics.registry.contentType, "cache-control": "no-store" },
  });
}

// Other methods answer 405 method_not_allowed (JSON, with Allow), not Next.js's empty 405.
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET");
