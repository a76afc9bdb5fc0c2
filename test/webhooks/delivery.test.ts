import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { queryRows, type Db } from "@/db/client";
import { members } from "@/db/schema";
import { recordEvents } from "@/lib/loyalty/accrual/record-events";
import { ensureMember } from "@/lib/loyalty/members/ensure-member";
import { deliverDueWebhooks, webhookId } from "@/lib/webhooks/deliver";
import { changeWebhookEndpoint, createWebhookEndpoint } from "@/lib/webhooks/endpoints";
import { runWebhookDelivery } from "@/lib/webhooks/run-delivery";
import { createTestDatabase, type TestDatabase } from "../support/test-database";
import { freePort, startReceiver, waitFor, type Receiver } from "./receiver";

const fast = { baseDelayMs: 20, maxDelayMs: 200, maxAttempts: 1_000 };
const purchase = (member: string, ref: string, amountCents = 1_000) => ({ type: "purchase" as const, memberExternalId: member, referenceId: ref, amountCents });

/** Creates the members (each a member.created event) and books the purchases, all accepted. */
async function book(db: Db, events: ReturnType<typeof purchase>[]): Promise<void> {
  for (const id of new Set(events.map((e) => e.memberExternalId))) await ensureMember(db, { externalId: id });
  const outcomes = await recordEvents(db, events, { actor: "test" });
  expect(outcomes.every((o) => o.ok)).toBe(true);
}

describe("webhook delivery against a real receiver", () => {
  let t: TestDatabase;
  let receiver: Receiver;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());
  beforeEach(async () => {
    await t.db.execute(sql`DELETE FROM webhook_deliveries WHERE true`);
    await t.db.execute(sql`DELETE FROM webhook_endpoints WHERE true`);
  });

  it("writes nothing to the outbox while no endpoint is enabled", async () => {
    await book(t.db, [purchase("quiet-1", "quiet-p1")]);
    const [row] = await queryRows<{ n: number }>(t.db, sql`SELECT count(*)::int AS n FROM webhook_events`);
    expect(row!.n).toBe(0);
  });

  it("signs each event as Standard Webhooks do; the receiver verifies it with the endpoint's secret", async () => {
    receiver = await startReceiver();
    try {
      const endpoint = await createWebhookEndpoint(t.db, { url: receiver.url }, "test");
      await book(t.db, [purchase("sig-1", "sig-p1", 2_500)]);
      const round = await deliverDueWebhooks(t.db);
      expect(round).toMatchObject({ claimed: 2, delivered: 2 });

      const wh = new Webhook(endpoint.secret);
      const payloads = receiver.received.map((r) => wh.verify(r.body, r.headers) as { type: string; data: Record<string, unknown> });
      expect(payloads.map((p) => p.type).sort()).toEqual(["member.created", "points.earned"]);
      expect(payloads.find((p) => p.type === "points.earned")!.data).toMatchObject({
        memberExternalId: "sig-1",
        referenceType: "purchase",
        referenceId: "sig-p1",
        points: 25,
      });
      // A body changed in transit, or signed with another secret, does not verify.
      const first = receiver.received[0]!;
      expect(() => wh.verify(first.body.replace("sig-1", "sig-2"), first.headers)).toThrow();
      const other = await createWebhookEndpoint(t.db, { url: receiver.url, eventTypes: ["tier.changed"] }, "test");
      expect(() => new Webhook(other.secret).verify(first.body, first.headers)).toThrow();

      const rows = await queryRows<{ status: string; attempts: number; last_status: number }>(
        t.db,
        sql`SELECT status, attempts, last_status FROM webhook_deliveries WHERE endpoint_id = ${endpoint.id}`,
      );
      expect(rows).toEqual([
        { status: "delivered", attempts: 1, last_status: 200 },
        { status: "delivered", attempts: 1, last_status: 200 },
      ]);
    } finally {
      await receiver.close();
    }
  });

  it("never sends the event of a rolled-back transaction", async () => {
    receiver = await startReceiver();
    try {
      await createWebhookEndpoint(t.db, { url: receiver.url }, "test");
      await expect(
        t.db.transaction(async (tx) => {
          await tx.insert(members).values({ externalId: "rolled-back-1" });
          throw new Error("abort");
        }),
      ).rejects.toThrow("abort");
      await book(t.db, [purchase("kept-1", "kept-p1")]);
      const events = await queryRows<{ n: number }>(t.db, sql`SELECT count(*)::int AS n FROM webhook_events WHERE payload::text LIKE '%rolled-back-1%'`);
      expect(events[0]!.n).toBe(0);
      await deliverDueWebhooks(t.db);
      expect(receiver.received.some((r) => r.body.includes("rolled-back-1"))).toBe(false);
      expect(receiver.received.some((r) => r.body.includes("kept-1"))).toBe(true);
    } finally {
      await receiver.close();
    }
  });

  it("fans out only the types an endpoint asked for, and nothing to a disabled one", async () => {
    receiver = await startReceiver();
    try {
      const earned = await createWebhookEndpoint(t.db, { url: receiver.url, eventTypes: ["points.earned"] }, "test");
      const off = await createWebhookEndpoint(t.db, { url: receiver.url }, "test");
      await changeWebhookEndpoint(t.db, off.id, { enabled: false }, "test");
      await book(t.db, [purchase("fan-1", "fan-p1")]);
      const rows = await queryRows<{ endpoint_id: number; type: string }>(
        t.db,
        sql`SELECT d.endpoint_id::int AS endpoint_id, e.type FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id`,
      );
      expect(rows).toEqual([{ endpoint_id: earned.id, type: "points.earned" }]);
    } finally {
      await receiver.close();
    }
  });

  it("a receiver that is down for a while gets every event once it is back, each with the same webhook-id", { timeout: 30_000 }, async () => {
    const port = await freePort();
    const endpoint = await createWebhookEndpoint(t.db, { url: `http://127.0.0.1:${port}/hooks` }, "test");
    const events = Array.from({ length: 30 }, (_, i) => purchase(`down-${i % 5}`, `down-p${i}`));
    await book(t.db, events);
    const expected = await queryRows<{ id: number }>(t.db, sql`SELECT event_id::int AS id FROM webhook_deliveries WHERE endpoint_id = ${endpoint.id}`);
    expect(expected).toHaveLength(35); // 5 members created, 30 purchases

    const stop = new AbortController();
    const loop = runWebhookDelivery(t.db, stop.signal, { idleMs: 20, retry: fast });
    try {
      // Down: connection refused, then 503s for a while.
      await waitFor(async () => {
        const [r] = await queryRows<{ n: number }>(t.db, sql`SELECT count(*)::int AS n FROM webhook_deliveries WHERE attempts >= 2`);
        return r!.n === 35;
      }, 20_000);
      receiver = await startReceiver(port);
      let refusals = 0;
      receiver.answer = () => (refusals++ < 20 ? 503 : 200);
      await waitFor(async () => {
        const [r] = await queryRows<{ n: number }>(t.db, sql`SELECT count(*)::int AS n FROM webhook_deliveries WHERE status = 'delivered'`);
        return r!.n === 35;
      }, 20_000);
    } finally {
      stop.abort();
      await loop;
      await receiver.close();
    }
    const delivered = new Set(receiver.received.filter((_, i) => i >= 20).map((r) => r.headers["webhook-id"]));
    expect([...delivered].sort()).toEqual(expected.map((e) => webhookId(e.id)).sort());
    // Every attempt of one event carried its one id.
    const ids = new Set(receiver.received.map((r) => r.headers["webhook-id"]));
    expect(ids.size).toBe(35);
    const [log] = await queryRows<{ last_status: number; min_attempts: number }>(
      t.db,
      sql`SELECT max(last_status) AS last_status, min(attempts) AS min_attempts FROM webhook_deliveries`,
    );
    expect(log).toEqual({ last_status: 200, min_attempts: 3 });
  });

  it("gives up after the last attempt and marks the delivery failed with the last answer", async () => {
    receiver = await startReceiver();
    receiver.answer = 500;
    try {
      await createWebhookEndpoint(t.db, { url: receiver.url, eventTypes: ["points.earned"] }, "test");
      await book(t.db, [purchase("fail-1", "fail-p1")]);
      const stop = new AbortController();
      const loop = runWebhookDelivery(t.db, stop.signal, { idleMs: 10, retry: { baseDelayMs: 10, maxDelayMs: 20, maxAttempts: 3 } });
      await waitFor(async () => {
        const [r] = await queryRows<{ status: string }>(t.db, sql`SELECT status FROM webhook_deliveries`);
        return r!.status !== "pending";
      }, 10_000);
      stop.abort();
      await loop;
      const [row] = await queryRows<{ status: string; attempts: number; last_status: number; last_response: string }>(
        t.db,
        sql`SELECT status, attempts, last_status, last_response FROM webhook_deliveries`,
      );
      expect(row).toEqual({ status: "failed", attempts: 3, last_status: 500, last_response: "not now" });
      expect(receiver.received).toHaveLength(3);
    } finally {
      await receiver.close();
    }
  });
});
