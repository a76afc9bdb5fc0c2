import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { queryRows } from "@/db/client";
import { recordEvents } from "@/lib/loyalty/accrual/record-events";
import { isLoyaltyError } from "@/lib/loyalty/errors";
import { eraseMember } from "@/lib/loyalty/members/erase-member";
import { ensureMember } from "@/lib/loyalty/members/ensure-member";
import type { Actor } from "@/lib/loyalty/access/staff-permissions";
import { erasedIdDigest } from "@/lib/privacy/erased-id-digest";
import { deliverDueWebhooks, webhookId } from "@/lib/webhooks/deliver";
import { createWebhookEndpoint } from "@/lib/webhooks/endpoints";
import { createTestDatabase, type TestDatabase } from "../support/test-database";
import { startReceiver, type Receiver } from "./receiver";

type Event = { id: number; type: string; timestamp: string; data: Record<string, unknown> };
const admin: Actor = { kind: "user", id: "00000000-0000-4000-8000-0000000000ad", roles: ["admin"] };
const options = { digest: erasedIdDigest };

describe("member.erased: one event per erasure, through the outbox, nothing personal", () => {
  let t: TestDatabase;
  let receiver: Receiver;
  beforeAll(async () => {
    t = await createTestDatabase();
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver.close();
    await t.drop();
  });

  const events = async (): Promise<Event[]> =>
    (
      await queryRows<{ id: number; payload: Event }>(t.db, sql`SELECT id::int AS id, payload FROM webhook_events WHERE type = 'member.erased' ORDER BY id`)
    ).map((r) => ({ ...r.payload, id: r.id }));

  it("is enqueued once by the erasure, for the endpoints that want it, and reaches a receiver signed", async () => {
    const all = await createWebhookEndpoint(t.db, { url: receiver.url, eventTypes: null }, "test");
    const earnedOnly = await createWebhookEndpoint(t.db, { url: `${receiver.url}/earned`, eventTypes: ["points.earned"] }, "test");
    const { member } = await ensureMember(t.db, { externalId: "crm-erase-wh-1", email: "Ottilie.Brandvold@example.org", name: "Ottilie Brandvold" });
    await recordEvents(t.db, [{ type: "purchase", memberExternalId: "crm-erase-wh-1", referenceId: "wh-e-1", amountCents: 2_500 }], { actor: "test" });
    const erasedAt = new Date("2026-12-02T06:00:00.000Z");

    // A refused erasure (its reason names the member) rolls back: no event.
    const refused = await eraseMember(t.db, admin, { memberId: member.id, reason: "Ottilie Brandvold asked" }, { ...options, now: erasedAt }).catch(
      (e: unknown) => e,
    );
    expect(isLoyaltyError(refused) && refused.code).toBe("validation_failed");
    expect(await events()).toEqual([]);

    const result = await eraseMember(t.db, admin, { externalId: "crm-erase-wh-1", reason: "data request 7781" }, { ...options, now: erasedAt });
    expect(result.alreadyErased).toBe(false);
    const [event, ...more] = await events();
    expect(more).toEqual([]);
    expect(event!.data).toEqual({
      memberId: member.id,
      memberExternalId: `erased:${member.id}`,
      referenceType: "member",
      referenceId: `erased:${member.id}`,
      points: 0,
      erasedAt: "2026-12-02T06:00:00.000Z",
      occurredAt: "2026-12-02T06:00:00.000Z",
    });
    const text = JSON.stringify(event).toLowerCase();
    for (const personal of ["ottilie", "brandvold", "crm-erase-wh-1"]) expect(text).not.toContain(personal);

    // Repeats (by the old external id, the tombstone, the member id) answer the first erasure and send nothing.
    for (const input of [{ externalId: "crm-erase-wh-1" }, { externalId: result.externalId }, { memberId: member.id }]) {
      const again = await eraseMember(t.db, admin, { ...input, reason: "data request 7781" }, options);
      expect(again).toMatchObject({ alreadyErased: true, memberId: member.id });
    }
    expect((await events()).map((e) => e.id)).toEqual([event!.id]);

    const fanout = await queryRows<{ endpoint_id: number }>(t.db, sql`SELECT endpoint_id::int FROM webhook_deliveries WHERE event_id = ${event!.id}`);
    expect(fanout.map((d) => d.endpoint_id)).toEqual([Number(all.id)]);
    expect(Number(earnedOnly.id)).not.toBe(Number(all.id));

    await deliverDueWebhooks(t.db);
    const wh = new Webhook(all.secret);
    const got = receiver.received
      .filter((r) => !r.headers["webhook-id"] || r.headers["webhook-id"] === webhookId(event!.id))
      .map((r) => wh.verify(r.body, r.headers) as Event);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ type: "member.erased", data: { memberId: member.id, erasedAt: "2026-12-02T06:00:00.000Z" } });
  });
});
