import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { writeAudit } from "@/lib/loyalty/audit/audit-log";
import { LoyaltyError } from "@/lib/loyalty/errors";
import { authorize, type Actor } from "@/lib/loyalty/access/staff-permissions";
import { webhookId } from "./deliver";

export interface DeliveryLogEntry {
  id: number;
  webhookId: string;
  type: string;
  endpointUrl: string;
  status: "pending" | "delivered" | "failed";
  attempts: number;
  lastStatus: number | null;
  lastResponse: string | null;
  lastAttemptAt: string | null;
  nextAttemptAt: string;
  createdAt: string;
}

/** The newest deliveries of every endpoint, for the admin's log (role admin: webhooks:manage). */
export async function listWebhookDeliveries(db: Db, actor: Actor, options: { limit?: number } = {}): Promise<DeliveryLogEntry[]> {
  authorize(actor, "webhooks:manage");
  const rows = await queryRows<{
    id: number;
    event_id: number;
    type: string;
    url: string;
    status: DeliveryLogEntry["status"];
    attempts: number;
    last_status: number | null;
    last_response: string | null;
    last_attempt_at: string | null;
    next_attempt_at: string;
    created_at: string;
  }>(
    db,
    sql`SELECT d.id::int AS id, d.event_id::int AS event_id, e.type, ep.url, d.status, d.attempts, d.last_status, d.last_response,
               webhook_iso(d.last_attempt_at) AS last_attempt_at, webhook_iso(d.next_attempt_at) AS next_attempt_at, webhook_iso(d.created_at) AS created_at
        FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id JOIN webhook_endpoints ep ON ep.id = d.endpoint_id
        ORDER BY d.id DESC LIMIT ${options.limit ?? 100}`,
  );
  return rows.map((r) => ({
    id: r.id,
    webhookId: webhookId(r.event_id),
    type: r.type,
    endpointUrl: r.url,
    status: r.status,
    attempts: r.attempts,
    lastStatus: r.last_status,
    lastResponse: r.last_response,
    lastAttemptAt: r.last_attempt_at,
    nextAttemptAt: r.next_attempt_at,
    createdAt: r.created_at,
  }));
}

/**
 * Sends a delivery again (role admin, audited in the same transaction): back to pending, due now,
 * with a fresh attempt budget. The event keeps its webhook-id, so a receiver that had it already
 * recognises the repeat.
 */
export async function redeliverWebhook(db: Db, actor: Actor, deliveryId: number): Promise<void> {
  authorize(actor, "webhooks:manage");
  await db.transaction(async (tx) => {
    const [row] = await queryRows<{ id: number; status: string; attempts: number }>(
      tx,
      sql`SELECT id::int AS id, status, attempts FROM webhook_deliveries WHERE id = ${deliveryId} FOR UPDATE`,
    );
    if (!row) throw new LoyaltyError("not_found", "No such delivery", { field: "id" });
    await tx.execute(sql`UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = now() WHERE id = ${deliveryId}`);
    await writeAudit(tx, {
      actor,
      action: "webhook_delivery.redeliver",
      targetType: "webhook_delivery",
      targetId: deliveryId,
      before: { status: row.status, attempts: row.attempts },
      after: { status: "pending", attempts: 0 },
    });
  });
}
