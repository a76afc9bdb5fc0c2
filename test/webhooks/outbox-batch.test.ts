import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import { recordEvents } from "@/lib/loyalty/accrual/record-events";
import { ensureMember } from "@/lib/loyalty/members/ensure-member";
import { createWebhookEndpoint, deleteWebhookEndpoint } from "@/lib/webhooks/endpoints";
import { createTestDatabase, type TestDatabase } from "../support/test-database";

/**
 * The outbox write of the batch path (drizzle/0031): one INSERT … SELECT over the statement's
 * transition table, deliveries fanned out from its RETURNING, no foreign keys. Each ledger row of a
 * batch gives exactly one event, in id order, with the whole payload, and one delivery per endpoint
 * that wants its type.
 */
describe("the outbox on the batch path", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  it("writes one event per ledger row of a batch, exactly the payload, and one delivery per endpoint that wants it", async () => {
    const all = await createWebhookEndpoint(t.db, { url: "http://127.0.0.1:9/all" }, "test");
    const members = await createWebhookEndpoint(t.db, { url: "http://127.0.0.1:9/members", eventTypes: ["member.created"] }, "test");
    const occurredAt = "2026-11-30T10:00:00.000Z";
    const batch = Array.from({ length: 40 }, (_, i) => ({
      type: "purchase" as const,
      memberExternalId: `ob-batch-${i % 7}`,
      referenceId: `ob-batch-p${i}`,
      amountCents: 1_000 + i * 100,
      occurredAt,
    }));
    for (let i = 0; i < 7; i++) await ensureMember(t.db, { externalId: `ob-batch-${i}` });
    const outcomes = await recordEvents(t.db, batch, { actor: "test" });
    expect(outcomes.filter((o) => !o.ok)).toEqual([]);
    // The same batch again: replays, no ledger row, so no event.
    await recordEvents(t.db, batch, { actor: "test" });

    const rows = await queryRows<{ id: number; external_id: string; reference_id: string; amount: number }>(
      t.db,
      sql`SELECT t.id::int AS id, m.external_id, t.reference_id, t.amount::int AS amount FROM point_transactions t JOIN members m ON m.id = t.member_id
          WHERE t.reference_id LIKE 'ob-batch-p%' ORDER BY t.id`,
    );
    expect(rows).toHaveLength(40);
    const events = await queryRows<{ id: number; type: string; payload: { type: string; timestamp: string; data: Record<string, unknown> } }>(
      t.db,
      sql`SELECT id::int AS id, type, payload FROM webhook_events WHERE type = 'points.earned' ORDER BY id`,
    );
    expect(events.map((e) => e.payload.data)).toEqual(
      rows.map((r) => ({
        memberExternalId: r.external_id,
        transactionId: r.id,
        referenceType: "purchase",
        referenceId: r.reference_id,
        points: r.amount,
        occurredAt,
        pending: false,
        vestsAt: null,
      })),
    );
    for (const e of events) {
      expect(e.payload.type).toBe("points.earned");
      expect(e.payload.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    const created = await queryRows<{ payload: { data: Record<string, unknown> } }>(
      t.db,
      sql`SELECT payload FROM webhook_events WHERE type = 'member.created' ORDER BY id`,
    );
    expect(created.map((e) => e.payload.data.memberExternalId)).toEqual(Array.from({ length: 7 }, (_, i) => `ob-batch-${i}`));
    expect(created[0]!.payload.data).toMatchObject({ referenceType: "member", referenceId: "ob-batch-0", points: 0 });

    const deliveries = await queryRows<{ endpoint_id: number; type: string; n: number; events: number }>(
      t.db,
      sql`SELECT d.endpoint_id::int AS endpoint_id, e.type, count(*)::int AS n, count(DISTINCT d.event_id)::int AS events
          FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    expect(deliveries).toEqual([
      { endpoint_id: all.id, type: "member.created", n: 7, events: 7 },
      { endpoint_id: all.id, type: "points.earned", n: 40, events: 40 },
      { endpoint_id: members.id, type: "member.created", n: 7, events: 7 },
    ]);

    // Deleting an endpoint deletes its deliveries (no cascade any more); the events stay.
    await deleteWebhookEndpoint(t.db, all.id, "test");
    const left = await queryRows<{ endpoint_id: number; n: number }>(
      t.db,
      sql`SELECT endpoint_id::int AS endpoint_id, count(*)::int AS n FROM webhook_deliveries GROUP BY 1`,
    );
    expect(left).toEqual([{ endpoint_id: members.id, n: 7 }]);
    expect((await queryRows<{ n: number }>(t.db, sql`SELECT count(*)::int AS n FROM webhook_events`))[0]!.n).toBe(47);
  });

  it("writes nothing when no enabled endpoint wants the type", async () => {
    const before = (await queryRows<{ n: number }>(t.db, sql`SELECT count(*)::int AS n FROM webhook_events`))[0]!.n;
    // Only the member.created endpoint is left: purchases of an existing member write no event.
    await ensureMember(t.db, { externalId: "ob-quiet" });
    await recordEvents(t.db, [{ type: "purchase", memberExternalId: "ob-quiet", referenceId: "ob-quiet-p1", amountCents: 5_000 }], { actor: "test" });
    const types = await queryRows<{ type: string }>(t.db, sql`SELECT type FROM webhook_events ORDER BY id OFFSET ${before}`);
    expect(types.map((r) => r.type)).toEqual(["member.created"]);
  });
});
