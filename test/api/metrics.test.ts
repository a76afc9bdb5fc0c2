import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { GET as ledgerSnapshot } from "@/app/api/cron/ledger-snapshot/route";
import { GET as metricsRoute } from "@/app/api/metrics/route";
import { GET as readyRoute } from "@/app/api/ready/route";
import { POST as recordEvent } from "@/app/api/v1/events/route";
import { POST as recordBatch } from "@/app/api/v1/events/batch/route";
import { GET as getMember } from "@/app/api/v1/members/[externalId]/route";
import { POST as createMember } from "@/app/api/v1/members/route";
import { connectPostgres } from "@/db/client";
import { resetEnvCache } from "@/lib/env";
import { routeTemplate } from "@/lib/http/api-route";
import { setOpsRedis } from "@/lib/metrics/ops-redis";
import { checkReadiness } from "@/lib/metrics/readiness";
import { appMetrics } from "@/lib/metrics/registry";
import { refreshScrapeGauges } from "@/lib/metrics/scrape";
import { ensureMember } from "@/lib/loyalty/members/ensure-member";
import { changeWebhookEndpoint, createWebhookEndpoint } from "@/lib/webhooks/endpoints";
import { sql } from "drizzle-orm";
import { REDIS_URL, uniqueStream } from "../scale/stream-support";
import { call, createApiHarness, type ApiHarness } from "./api-harness";

const TOKEN = "metrics-token-for-tests-0123456789";
const CRON = "cron-secret-for-tests-0123456789";

/** The value of one sample line (`name{labels} value`) of the exposition text, or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (want.every((w) => line.includes(w))) return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return undefined;
}

async function scrape(authorization?: string): Promise<Response> {
  return metricsRoute(new Request("http://localhost/api/metrics", { headers: authorization ? { authorization } : {} }));
}

describe("/api/metrics", () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await createApiHarness();
    setOpsRedis(null);
  });
  afterAll(async () => {
    setOpsRedis(undefined);
    await h.close();
  });
  afterEach(() => {
    delete process.env.METRICS_TOKEN;
    delete process.env.CRON_SECRET;
    resetEnvCache();
  });

  it("fails closed: 401 without METRICS_TOKEN configured, without a token, or with a wrong one", async () => {
    for (const authorization of [undefined, `Bearer ${TOKEN}`]) expect((await scrape(authorization)).status).toBe(401);
    process.env.METRICS_TOKEN = TOKEN;
    resetEnvCache();
    for (const authorization of [undefined, "Bearer wrong-token-0123456789", `Basic ${TOKEN}`, `Bearer ${TOKEN}x`]) {
      const response = await scrape(authorization);
      expect([authorization, response.status]).toEqual([authorization, 401]);
      expect(await response.text()).not.toContain("loyalty_");
    }
    const ok = await scrape(`Bearer ${TOKEN}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it("counts REST requests per route template, method and status, with their latency", async () => {
    process.env.METRICS_TOKEN = TOKEN;
    resetEnvCache();
    await call(createMember, "/api/v1/members", { key: h.key, body: { externalId: "cust-m1" } });
    for (let i = 0; i < 3; i++) await call(getMember, "/api/v1/members/cust-m1", { key: h.key, params: { externalId: "cust-m1" } });
    await call(getMember, "/api/v1/members/cust-m1", { params: { externalId: "cust-m1" } }); // 401
    await call(getMember, "/api/v1/members/nobody", { key: h.key, params: { externalId: "nobody" } }); // 404
    const text = await (await scrape(`Bearer ${TOKEN}`)).text();
    const route = "/api/v1/members/{externalId}";
    const count = (status: string) => sample(text, "loyalty_http_request_duration_seconds_count", { route, method: "GET", status });
    expect([count("200"), count("401"), count("404")]).toEqual([3, 1, 1]);
    expect(sample(text, "loyalty_http_request_duration_seconds_count", { route: "/api/v1/members", method: "POST", status: "201" })).toBe(1);
    expect(sample(text, "loyalty_http_request_duration_seconds_bucket", { route, status: "200", le: "+Inf" })).toBe(3);
    // Member ids never become label values.
    expect(text).not.toMatch(/cust-m1|nobody/);
  });

  it("serves a route without dynamic segments, whose params Next.js resolves to undefined", async () => {
    const response = await createMember(
      new Request("http://localhost/api/v1/members", {
        method: "POST",
        headers: { authorization: `Bearer ${h.key}`, "content-type": "application/json" },
        body: JSON.stringify({ externalId: "cust-m0" }),
      }),
      { params: Promise.resolve(undefined as never) },
    );
    expect(response.status).toBe(201);
    expect(routeTemplate("/api/v1/events", undefined)).toBe("/api/v1/events");
  });

  it("names the dynamic segments of a route, encoded or not", () => {
    expect(routeTemplate("/api/v1/members/a%20b/transactions", { externalId: "a b" })).toBe("/api/v1/members/{externalId}/transactions");
    expect(routeTemplate("/api/v1/campaigns/12", { id: "12" })).toBe("/api/v1/campaigns/{id}");
    expect(routeTemplate("/api/v1/events", {})).toBe("/api/v1/events");
  });

  it("records accrual batch sizes and durations", async () => {
    const metrics = appMetrics();
    const before = (await metrics.accrualBatchEvents.get()).values.find((v) => v.metricName === "loyalty_accrual_batch_events_sum")?.value ?? 0;
    await call(recordEvent, "/api/v1/events", { key: h.key, body: { type: "referral", memberExternalId: "cust-m1", referenceId: "m-ref-1" } });
    const events = Array.from({ length: 7 }, (_, i) => ({ type: "review", memberExternalId: "cust-m1", referenceId: `m-rev-${i}` }));
    expect((await call(recordBatch, "/api/v1/events/batch", { key: h.key, body: { events } })).status).toBe(200);
    const after = (await metrics.accrualBatchEvents.get()).values.find((v) => v.metricName === "loyalty_accrual_batch_events_sum")!.value;
    expect(after - before).toBe(8);
    const durations = (await metrics.accrualBatchDuration.get()).values.find((v) => v.metricName === "loyalty_accrual_batch_duration_seconds_count");
    expect(durations!.value).toBeGreaterThanOrEqual(2);
  });

  it("records job durations and outcomes from the cron routes", async () => {
    process.env.CRON_SECRET = CRON;
    process.env.METRICS_TOKEN = TOKEN;
    resetEnvCache();
    const response = await ledgerSnapshot(new Request("http://localhost/api/cron/ledger-snapshot", { headers: { authorization: `Bearer ${CRON}` } }));
    expect(response.status).toBe(200);
    const text = await (await scrape(`Bearer ${TOKEN}`)).text();
    expect(sample(text, "loyalty_job_duration_seconds_count", { job: "ledger-snapshot", outcome: "ok" })).toBe(1);
  });

  it("reports the app's database connections by state and the pool size", async () => {
    process.env.METRICS_TOKEN = TOKEN;
    resetEnvCache();
    const text = await (await scrape(`Bearer ${TOKEN}`)).text();
    expect(sample(text, "loyalty_db_connections", { state: "active" })).toBeGreaterThanOrEqual(1);
    expect(sample(text, "loyalty_db_connections", { state: "idle" })).toBeGreaterThanOrEqual(0);
    expect(sample(text, "loyalty_db_pool_max")).toBe(10);
  });

  it("reports the webhook backlog: deliveries pending to enabled endpoints and the oldest one's age", async () => {
    process.env.METRICS_TOKEN = TOKEN;
    resetEnvCache();
    const backlog = async () => {
      const text = await (await scrape(`Bearer ${TOKEN}`)).text();
      return [sample(text, "loyalty_webhook_outbox_pending"), sample(text, "loyalty_webhook_outbox_oldest_pending_age_seconds")];
    };
    expect(await backlog()).toEqual([0, 0]);
    const endpoint = await createWebhookEndpoint(h.t.db, { url: "http://127.0.0.1:9/metrics-hook", eventTypes: ["member.created"] }, "test");
    for (const externalId of ["wh-m1", "wh-m2", "wh-m3"]) await ensureMember(h.t.db, { externalId });
    // The first event was written 90 s ago, another one 30 s ago; one of the three was delivered already.
    await h.t.db.execute(sql`UPDATE webhook_deliveries SET created_at = now() - interval '90 seconds' WHERE id = (SELECT min(id) FROM webhook_deliveries)`);
    await h.t.db.execute(sql`UPDATE webhook_deliveries SET created_at = now() - interval '30 seconds' WHERE id = (SELECT min(id) + 1 FROM webhook_deliveries)`);
    await h.t.db.execute(sql`UPDATE webhook_deliveries SET status = 'delivered' WHERE id = (SELECT max(id) FROM webhook_deliveries)`);
    const [pending, age] = await backlog();
    expect(pending).toBe(2);
    expect(age).toBeGreaterThanOrEqual(90);
    expect(age).toBeLessThan(120);
    // Once the oldest is delivered, the age is the next one's.
    await h.t.db.execute(sql`UPDATE webhook_deliveries SET status = 'delivered' WHERE id = (SELECT min(id) FROM webhook_deliveries)`);
    const [pendingAfter, ageAfter] = await backlog();
    expect(pendingAfter).toBe(1);
    expect(ageAfter).toBeGreaterThanOrEqual(30);
    expect(ageAfter).toBeLessThan(60);
    // A disabled endpoint's deliveries wait on purpose: not a backlog.
    await changeWebhookEndpoint(h.t.db, endpoint.id, { enabled: false }, "test");
    expect(await backlog()).toEqual([0, 0]);
  });

  it("reports stream lag and pending entries per shard, read from Redis", async () => {
    const redis = new Redis(REDIS_URL);
    const base = uniqueStream();
    try {
      const shard = (n: number) => `${base}:shard:${n}`;
      // Shard 0: 3 entries, no consumer group yet. Shard 1: 4 entries, 2 delivered (1 acknowledged).
      for (let i = 0; i < 3; i++) await redis.xadd(shard(0), "*", "event", "{}");
      for (let i = 0; i < 4; i++) await redis.xadd(shard(1), "*", "event", "{}");
      await redis.xgroup("CREATE", shard(1), "accrual", "0");
      const read = (await redis.xreadgroup("GROUP", "accrual", "w1", "COUNT", 2, "STREAMS", shard(1), ">")) as [string, [string, string[]][]][];
      await redis.xack(shard(1), "accrual", read[0]![1][0]![0]);
      const metrics = appMetrics();
      await refreshScrapeGauges(metrics, { db: null, redis, streamBase: base, shards: 3, poolMax: 10 });
      const text = await metrics.registry.metrics();
      expect(sample(text, "loyalty_stream_lag_entries", { shard: "0", stream: shard(0) })).toBe(3);
      expect(sample(text, "loyalty_stream_lag_entries", { shard: "1", stream: shard(1) })).toBe(2);
      expect(sample(text, "loyalty_stream_pending_entries", { shard: "1", stream: shard(1) })).toBe(1);
      // Shard 2 has no stream: nothing published, no series.
      expect(sample(text, "loyalty_stream_lag_entries", { shard: "2" })).toBeUndefined();
    } finally {
      await redis.del(`${base}:shard:0`, `${base}:shard:1`);
      redis.disconnect();
    }
  });
});

describe("/api/ready", () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await createApiHarness();
  });
  afterAll(async () => {
    setOpsRedis(undefined);
    await h.close();
  });

  it("is ready with the database up and Redis not configured", async () => {
    setOpsRedis(null);
    const response = await readyRoute();
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ready", database: "up", redis: "not_configured" });
  });

  it("checks Redis when it is configured: up, or 503 when it does not answer", async () => {
    const up = new Redis(REDIS_URL);
    const down = new Redis("redis://127.0.0.1:1", { maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null, lazyConnect: true });
    down.on("error", () => {});
    try {
      setOpsRedis(up);
      expect(await (await readyRoute()).json()).toEqual({ status: "ready", database: "up", redis: "up" });
      setOpsRedis(down);
      const response = await readyRoute();
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ status: "not_ready", database: "up", redis: "down" });
    } finally {
      up.disconnect();
      down.disconnect();
    }
  });

  it("is not ready while the database does not answer", async () => {
    const unreachable = connectPostgres("postgres://postgres@127.0.0.1:1/none", { max: 1 });
    try {
      const started = Date.now();
      expect(await checkReadiness({ db: unreachable.db, redis: null })).toEqual({ status: "not_ready", database: "down", redis: "not_configured" });
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await unreachable.close().catch(() => {});
    }
  });
});
