import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import { recordEvents } from "@/lib/loyalty/accrual/record-events";
import { captureHold, createHold, voidHold } from "@/lib/loyalty/redemption/hold-points";
import { ensureMember } from "@/lib/loyalty/members/ensure-member";
import { redeemPoints } from "@/lib/loyalty/redemption/redeem-points";
import { createWebhookEndpoint } from "@/lib/webhooks/endpoints";
import { createTestDatabase, type TestDatabase } from "../support/test-database";

type Event = { type: string; data: Record<string, unknown> };

describe("the outbox: one event per change, written by the change's transaction", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  const events = async (): Promise<Event[]> =>
    (await queryRows<{ payload: Event }>(t.db, sql`SELECT payload FROM webhook_events ORDER BY id`)).map((r) => r.payload);

  it("earn, redeem, refund, hold created / captured / voided, each with member, reference and points", async () => {
    await createWebhookEndpoint(t.db, { url: "http://127.0.0.1:9/h" }, "test");
    const ctx = { actor: "test" };
    await ensureMember(t.db, { externalId: "ob-1" });
    await recordEvents(t.db, [{ type: "purchase", memberExternalId: "ob-1", referenceId: "ob-p1", amountCents: 10_000 }], ctx);
    await redeemPoints(t.db, { memberExternalId: "ob-1", points: 10, referenceId: "ob-r1" }, ctx);
    const held = await createHold(t.db, { memberExternalId: "ob-1", points: 20, referenceId: "ob-h1" }, ctx);
    await captureHold(t.db, { holdId: held.holdId, points: 15, referenceId: "ob-c1" }, ctx);
    const voided = await createHold(t.db, { memberExternalId: "ob-1", points: 5, referenceId: "ob-h2" }, ctx);
    await voidHold(t.db, { holdId: voided.holdId }, ctx);
    await recordEvents(t.db, [{ type: "refund", memberExternalId: "ob-1", referenceId: "ob-f1", originalReferenceId: "ob-p1", amountCents: 1_000 }], ctx);

    const got = await events();
    expect(got.map((e) => e.type)).toEqual([
      "member.created",
      "points.earned",
      "points.redeemed",
      "hold.created",
      "points.redeemed",
      "hold.captured",
      "hold.created",
      "hold.voided",
      "points.reversed",
    ]);
    for (const e of got) expect(e.data).toMatchObject({ memberExternalId: "ob-1" });
    expect(got[1]!.data).toMatchObject({ referenceType: "purchase", referenceId: "ob-p1", points: 100 });
    expect(got[2]!.data).toMatchObject({ referenceId: "ob-r1", points: -10 });
    expect(got[3]!.data).toMatchObject({ referenceType: "hold", referenceId: "ob-h1", points: 20, holdId: held.holdId });
    expect(got[5]!.data).toMatchObject({ referenceId: "ob-h1", points: 15, heldPoints: 20 });
    expect(got[7]!.data).toMatchObject({ referenceId: "ob-h2", points: 5 });
    expect(got[8]!.data).toMatchObject({ referenceId: "ob-f1", points: -10 });
    for (const e of got) expect(Date.parse(e.data.occurredAt as string)).not.toBeNaN();
  });
});
