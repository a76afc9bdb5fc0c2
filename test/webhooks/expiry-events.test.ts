import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { queryRows } from "@/db/client";
import { recordEvents } from "@/lib/loyalty/accrual/record-events";
import { isLoyaltyError } from "@/lib/loyalty/errors";
import { queueExpiryReminders } from "@/lib/loyalty/jobs/queue-expiry-reminders";
import { expireHolds } from "@/lib/loyalty/jobs/expire-holds";
import { captureHold, createHold, voidHold } from "@/lib/loyalty/redemption/hold-points";
import { ensureMember } from "@/lib/loyalty/members/ensure-member";
import { addUtcMonths } from "@/lib/loyalty/rules/expiry";
import { deliverDueWebhooks, webhookId } from "@/lib/webhooks/deliver";
import { createWebhookEndpoint } from "@/lib/webhooks/endpoints";
import { createTestDatabase, type TestDatabase } from "../support/test-database";
import { startReceiver } from "./receiver";

type Event = { id: number; type: string; data: Record<string, unknown> };
const DAY = 86_400_000;
const ctx = { actor: "test" };

describe("points.expiring and hold.expired: one event each, written by the job's own statement", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());
  beforeEach(async () => {
    await t.db.execute(sql`DELETE FROM webhook_deliveries WHERE true`);
    await t.db.execute(sql`DELETE FROM webhook_endpoints WHERE true`);
  });

  const events = async (type: string): Promise<Event[]> =>
    (await queryRows<{ id: number; payload: Event }>(t.db, sql`SELECT id::int AS id, payload FROM webhook_events WHERE type = ${type} ORDER BY id`)).map(
      (r) => ({ ...r.payload, id: r.id }),
    );
  const deliveries = async (eventIds: number[]) =>
    (
      await queryRows<{ n: number }>(t.db, sql`SELECT count(*)::int AS n FROM webhook_deliveries WHERE event_id = ANY(${`{${eventIds.join(",")}}`}::bigint[])`)
    )[0]!.n;

  async function member(externalId: string, amountCents: number, occurredAt?: Date) {
    await ensureMember(t.db, { externalId });
    const [outcome] = await recordEvents(
      t.db,
      [{ type: "purchase", memberExternalId: externalId, referenceId: `${externalId}-p1`, amountCents, occurredAt: occurredAt?.toISOString() }],
      ctx,
    );
    expect(outcome!.ok).toBe(true);
  }

  it("hold.expired: once per lapsed hold, with its points and expiry; captured, voided and live holds send none", async () => {
    await createWebhookEndpoint(t.db, { url: "http://127.0.0.1:9/h" }, "test");
    await member("hx-1", 100_000);
    const t0 = new Date();
    const hold = (ref: string, points: number, ttlSeconds = 60) =>
      createHold(t.db, { memberExternalId: "hx-1", points, referenceId: ref, ttlSeconds }, { ...ctx, now: t0 });
    const lapsed = await hold("hx-lapsed", 30);
    const captured = await hold("hx-captured", 20);
    const voided = await hold("hx-voided", 10);
    const live = await hold("hx-live", 5, 3600);
    await captureHold(t.db, { holdId: captured.holdId, referenceId: "hx-capture" }, { ...ctx, now: new Date(t0.getTime() + 1_000) });
    await voidHold(t.db, { holdId: voided.holdId }, { ...ctx, now: new Date(t0.getTime() + 1_000) });

    const later = new Date(t0.getTime() + 61_000);
    expect(await expireHolds(t.db, { now: new Date(t0.getTime() + 59_000) })).toEqual({ holdsExpired: 0, pointsReleased: 0, membersAffected: 0 });
    expect(await expireHolds(t.db, { now: later })).toEqual({ holdsExpired: 1, pointsReleased: 30, membersAffected: 1 });
    expect(await expireHolds(t.db, { now: new Date(later.getTime() + 60_000) })).toEqual({ holdsExpired: 0, pointsReleased: 0, membersAffected: 0 });

    const expired = await events("hold.expired");
    expect(expired).toHaveLength(1);
    expect(expired[0]!.data).toEqual({
      memberExternalId: "hx-1",
      holdId: lapsed.holdId,
      referenceType: "hold",
      referenceId: "hx-lapsed",
      points: 30,
      heldPoints: 30,
      expiresAt: lapsed.expiresAt.toISOString(),
      occurredAt: lapsed.expiresAt.toISOString(),
    });
    expect(await deliveries(expired.map((e) => e.id))).toBe(1);

    // After the lapse is recorded: a capture is refused, a void answers voided but sends nothing more.
    const refused = await captureHold(t.db, { holdId: lapsed.holdId, referenceId: "hx-late" }, { ...ctx, now: later }).catch((e: unknown) => e);
    expect(isLoyaltyError(refused) && refused.code).toBe("hold_expired");
    expect((await voidHold(t.db, { holdId: lapsed.holdId }, { ...ctx, now: later })).state).toBe("voided");
    expect((await events("hold.voided")).map((e) => e.data.referenceId)).toEqual(["hx-voided"]);
    expect(await events("hold.expired")).toHaveLength(1);
    // The live hold lapses an hour later, once.
    expect(await expireHolds(t.db, { now: new Date(t0.getTime() + 3_601_000) })).toMatchObject({ holdsExpired: 1, pointsReleased: 5 });
    expect((await events("hold.expired")).map((e) => e.data.holdId)).toEqual([lapsed.holdId, live.holdId]);
  });

  it("hold.expired: two jobs racing over the same lapsed holds record each once", async () => {
    await createWebhookEndpoint(t.db, { url: "http://127.0.0.1:9/h" }, "test");
    await member("hx-race", 100_000);
    const t0 = new Date();
    const holds = [];
    for (let i = 0; i < 40; i++) {
      holds.push(await createHold(t.db, { memberExternalId: "hx-race", points: 10, referenceId: `hx-race-${i}`, ttlSeconds: 60 }, { ...ctx, now: t0 }));
    }
    const before = (await events("hold.expired")).length;
    const other = t.connect(2);
    const now = new Date(t0.getTime() + 120_000);
    const [a, b] = await Promise.all([expireHolds(t.db, { now, batchSize: 7 }), expireHolds(other.db, { now, batchSize: 7 })]);
    expect(a.holdsExpired + b.holdsExpired).toBe(40);
    const expired = (await events("hold.expired")).slice(before);
    expect(expired.map((e) => e.data.holdId).sort()).toEqual(holds.map((h) => h.holdId).sort());
  });

  it("points.expiring: one event per reminder queued (a second run sends none), with the points and when they expire", async () => {
    await createWebhookEndpoint(t.db, { url: "http://127.0.0.1:9/h", eventTypes: ["points.expiring"] }, "test");
    const now = new Date();
    const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    // Bought 12 months before noon of the day 7 days ahead: its points expire then (the 7-day reminder).
    await member("px-1", 12_345, addUtcMonths(new Date(today + 7 * DAY + 12 * 3_600_000), -12));
    const [lot] = await queryRows<{ expires_at: string }>(
      t.db,
      sql`SELECT webhook_iso(expires_at) AS expires_at FROM point_transactions WHERE reference_id = 'px-1-p1'`,
    );
    expect((await queueExpiryReminders(t.db, { now, mailer: null })).queued).toBe(1);
    expect((await queueExpiryReminders(t.db, { now, mailer: null })).queued).toBe(0);
    expect((await queueExpiryReminders(t.db, { now: new Date(now.getTime() + 60_000), mailer: null })).queued).toBe(0);

    const expiring = await events("points.expiring");
    expect(expiring).toHaveLength(1);
    const [reminder] = await queryRows<{ id: number }>(t.db, sql`SELECT id::int AS id FROM notifications`);
    expect(expiring[0]!.data).toEqual({
      memberExternalId: "px-1",
      referenceType: "expiry_reminder",
      referenceId: String(reminder!.id),
      points: 123,
      thresholdDays: 7,
      expiresOn: new Date(today + 7 * DAY).toISOString().slice(0, 10),
      expiresAt: lot!.expires_at,
      occurredAt: now.toISOString(),
    });
    expect(await deliveries(expiring.map((e) => e.id))).toBe(1);
  });

  it("signed deliveries carry both types to a real receiver, each under its own webhook-id", async () => {
    const receiver = await startReceiver();
    try {
      const endpoint = await createWebhookEndpoint(t.db, { url: receiver.url, eventTypes: ["points.expiring", "hold.expired"] }, "test");
      const now = new Date();
      const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
      await member("sx-1", 50_000, addUtcMonths(new Date(today + 30 * DAY + 6 * 3_600_000), -12));
      const hold = await createHold(
        t.db,
        { memberExternalId: "sx-1", points: 40, referenceId: "sx-hold", ttlSeconds: 60 },
        { ...ctx, now: new Date(now.getTime() - 120_000) },
      );
      await queueExpiryReminders(t.db, { now, mailer: null });
      await expireHolds(t.db, { now });
      expect(await deliverDueWebhooks(t.db)).toMatchObject({ claimed: 2, delivered: 2 });

      const wh = new Webhook(endpoint.secret);
      const got = receiver.received.map((r) => ({ id: r.headers["webhook-id"], payload: wh.verify(r.body, r.headers) as Event }));
      const byType = new Map(got.map((g) => [g.payload.type, g]));
      expect([...byType.keys()].sort()).toEqual(["hold.expired", "points.expiring"]);
      expect(byType.get("hold.expired")!.payload.data).toMatchObject({ memberExternalId: "sx-1", holdId: hold.holdId, points: 40 });
      expect(byType.get("points.expiring")!.payload.data).toMatchObject({ memberExternalId: "sx-1", points: 500, thresholdDays: 30 });
      const [e] = await events("hold.expired").then((all) => all.filter((x) => x.data.holdId === hold.holdId));
      expect(byType.get("hold.expired")!.id).toBe(webhookId(e!.id));
      // Nothing else is due: each was enqueued once.
      expect(await deliverDueWebhooks(t.db)).toMatchObject({ claimed: 0 });
    } finally {
      await receiver.close();
    }
  });
});
