import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import { recordEvents } from "@/lib/loyalty/accrual/record-events";
import { ensureMember } from "@/lib/loyalty/members/ensure-member";
import { createWebhookEndpoint } from "@/lib/webhooks/endpoints";
import { pruneWebhooks } from "@/lib/webhooks/prune";
import { runCli } from "../ops/support/run-cli";
import { createTestDatabase, type TestDatabase } from "../support/test-database";

const DAY = 86_400_000;

/**
 * The pruning job (lib/webhooks/prune.ts): finished deliveries past the retention and events left
 * without deliveries go, in batches; pending deliveries (retrying or untried) and their events stay
 * however old, and so does everything younger than the retention.
 */
describe("pruning the webhook outbox", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  it("removes old delivered and failed deliveries and their events, never a pending one; in batches, once", async () => {
    const a = await createWebhookEndpoint(t.db, { url: "http://127.0.0.1:9/a", eventTypes: ["points.earned"] }, "test");
    const b = await createWebhookEndpoint(t.db, { url: "http://127.0.0.1:9/b", eventTypes: ["points.earned"] }, "test");
    await ensureMember(t.db, { externalId: "prune-1" });
    const refs = Array.from({ length: 9 }, (_, i) => `prune-p${i}`);
    await recordEvents(
      t.db,
      refs.map((referenceId) => ({ type: "purchase" as const, memberExternalId: "prune-1", referenceId, amountCents: 1_000 })),
      { actor: "test" },
    );
    const events = await queryRows<{ id: number; ref: string }>(
      t.db,
      sql`SELECT id::int AS id, payload->'data'->>'referenceId' AS ref FROM webhook_events ORDER BY id`,
    );
    expect(events).toHaveLength(9);
    const now = new Date();
    const old = new Date(now.getTime() - 40 * DAY).toISOString();
    const recent = new Date(now.getTime() - 5 * DAY).toISOString();
    const set = async (ref: string, endpoint: number, values: { status: string; attempts: number; at: string | null }) => {
      const event = events.find((e) => e.ref === ref)!.id;
      await t.db.execute(sql`
        UPDATE webhook_deliveries SET status = ${values.status}::webhook_delivery_status, attempts = ${values.attempts},
          last_attempt_at = ${values.at}::timestamptz, delivered_at = ${values.status === "delivered" ? values.at : null}::timestamptz
        WHERE event_id = ${event} AND endpoint_id = ${endpoint}`);
      await t.db.execute(sql`UPDATE webhook_events SET created_at = ${old}::timestamptz WHERE id = ${event}`);
    };
    // p0-p3: delivered (or failed for good) to both endpoints 40 days ago: everything goes.
    for (const ref of ["prune-p0", "prune-p1", "prune-p2", "prune-p3"]) {
      await set(ref, a.id, { status: "delivered", attempts: 1, at: old });
      await set(ref, b.id, { status: ref === "prune-p3" ? "failed" : "delivered", attempts: ref === "prune-p3" ? 14 : 1, at: old });
    }
    // p4: delivered to a, but b is still retrying (pending, 5 attempts, last one 40 days ago): a's row goes, the event stays.
    await set("prune-p4", a.id, { status: "delivered", attempts: 1, at: old });
    await set("prune-p4", b.id, { status: "pending", attempts: 5, at: old });
    // p5: never tried yet (pending, 0 attempts) on both: stays.
    await set("prune-p5", a.id, { status: "pending", attempts: 0, at: null });
    await set("prune-p5", b.id, { status: "pending", attempts: 0, at: null });
    // p6: delivered 5 days ago: younger than the retention, stays.
    await set("prune-p6", a.id, { status: "delivered", attempts: 1, at: recent });
    await set("prune-p6", b.id, { status: "delivered", attempts: 2, at: recent });
    // p7, p8: untouched (pending, created now).

    // An endpoint deleted behind the service's back (as a concurrent write could leave it): its deliveries are orphans.
    const c = await createWebhookEndpoint(t.db, { url: "http://127.0.0.1:9/c" }, "test");
    await recordEvents(t.db, [{ type: "purchase", memberExternalId: "prune-1", referenceId: "prune-orphan", amountCents: 500 }], { actor: "test" });
    await t.db.execute(sql`DELETE FROM webhook_endpoints WHERE id = ${c.id}`);

    const summary = await pruneWebhooks(t.db, { now, retentionDays: 30, batchSize: 2 });
    expect(summary).toMatchObject({ retentionDays: 30, deliveriesPruned: 9, orphanDeliveriesPruned: 1, eventsPruned: 4 });

    const left = await queryRows<{ ref: string; endpoint: string; status: string }>(
      t.db,
      sql`SELECT e.payload->'data'->>'referenceId' AS ref, ep.url AS endpoint, d.status
          FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id JOIN webhook_endpoints ep ON ep.id = d.endpoint_id
          ORDER BY 1, 2`,
    );
    const key = (ref: string, e: string, status: string) => ({ ref, endpoint: `http://127.0.0.1:9/${e}`, status });
    expect(left).toEqual([
      key("prune-orphan", "a", "pending"),
      key("prune-orphan", "b", "pending"),
      key("prune-p4", "b", "pending"),
      key("prune-p5", "a", "pending"),
      key("prune-p5", "b", "pending"),
      key("prune-p6", "a", "delivered"),
      key("prune-p6", "b", "delivered"),
      key("prune-p7", "a", "pending"),
      key("prune-p7", "b", "pending"),
      key("prune-p8", "a", "pending"),
      key("prune-p8", "b", "pending"),
    ]);
    const kept = await queryRows<{ ref: string }>(t.db, sql`SELECT payload->'data'->>'referenceId' AS ref FROM webhook_events ORDER BY id`);
    expect(kept.map((r) => r.ref)).toEqual(["prune-p4", "prune-p5", "prune-p6", "prune-p7", "prune-p8", "prune-orphan"]);
    expect((await queryRows<{ n: number }>(t.db, sql`SELECT count(*)::int AS n FROM webhook_deliveries WHERE endpoint_id = ${c.id}`))[0]!.n).toBe(0);

    // A second run finds nothing; with a 1-day retention p6 goes too.
    expect(await pruneWebhooks(t.db, { now, retentionDays: 30, batchSize: 2 })).toMatchObject({
      deliveriesPruned: 0,
      orphanDeliveriesPruned: 0,
      eventsPruned: 0,
    });
    expect(await pruneWebhooks(t.db, { now, retentionDays: 1 })).toMatchObject({ deliveriesPruned: 2, eventsPruned: 1 });
  });

  it("runs as `jobs run webhooks-prune`, with WEBHOOK_RETENTION_DAYS", async () => {
    const run = await runCli(["jobs", "run", "webhooks-prune"], { DATABASE_URL: t.url, WEBHOOK_RETENTION_DAYS: "7" });
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout.trim().split("\n").at(-1)!);
    expect(summary).toMatchObject({ job: "webhooks-prune", retentionDays: 7, deliveriesPruned: 0, orphanDeliveriesPruned: 0, eventsPruned: 0 });
  });
});
