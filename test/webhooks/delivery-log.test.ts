import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import { recordEvents } from "@/lib/loyalty/accrual/record-events";
import { ensureMember } from "@/lib/loyalty/members/ensure-member";
import type { Actor } from "@/lib/loyalty/access/staff-permissions";
import { deliverDueWebhooks } from "@/lib/webhooks/deliver";
import { listWebhookDeliveries, redeliverWebhook } from "@/lib/webhooks/delivery-log";
import { createWebhookEndpoint } from "@/lib/webhooks/endpoints";
import { createTestDatabase, type TestDatabase } from "../support/test-database";
import { startReceiver } from "./receiver";

const admin: Actor = { kind: "user", id: "u-admin", roles: ["admin"] };
const support: Actor = { kind: "user", id: "u-support", roles: ["support", "marketing"] };

describe("the admin's delivery log and redeliver", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  it("lists status, attempts and the last answer; redeliver sends the event again with its webhook-id, audited; only for admins", async () => {
    const receiver = await startReceiver();
    receiver.answer = 410;
    try {
      await createWebhookEndpoint(t.db, { url: receiver.url, eventTypes: ["points.earned"] }, "test");
      await ensureMember(t.db, { externalId: "log-1" });
      await recordEvents(t.db, [{ type: "purchase", memberExternalId: "log-1", referenceId: "log-p1", amountCents: 700 }], { actor: "test" });
      await deliverDueWebhooks(t.db, { retry: { baseDelayMs: 10, maxDelayMs: 10, maxAttempts: 1 } });

      const [entry] = await listWebhookDeliveries(t.db, admin);
      expect(entry).toMatchObject({ type: "points.earned", status: "failed", attempts: 1, lastStatus: 410, lastResponse: "not now" });
      await expect(listWebhookDeliveries(t.db, support)).rejects.toMatchObject({ code: "forbidden" });
      await expect(redeliverWebhook(t.db, support, entry!.id)).rejects.toMatchObject({ code: "forbidden" });
      expect((await listWebhookDeliveries(t.db, admin))[0]!.status).toBe("failed");

      receiver.answer = 200;
      await redeliverWebhook(t.db, admin, entry!.id);
      expect(await deliverDueWebhooks(t.db)).toMatchObject({ claimed: 1, delivered: 1 });
      expect((await listWebhookDeliveries(t.db, admin))[0]).toMatchObject({ status: "delivered", attempts: 1, lastStatus: 200 });
      expect(receiver.received.map((r) => r.headers["webhook-id"])).toEqual([entry!.webhookId, entry!.webhookId]);
      const audit = await queryRows<{ actor: string; action: string }>(t.db, sql`SELECT actor, action FROM audit_log WHERE target_type = 'webhook_delivery'`);
      expect(audit).toEqual([{ actor: "user:u-admin", action: "webhook_delivery.redeliver" }]);
      await expect(redeliverWebhook(t.db, admin, 999_999)).rejects.toMatchObject({ code: "not_found" });
    } finally {
      await receiver.close();
    }
  });
});
