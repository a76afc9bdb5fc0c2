import { desc, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { webhookDeliveries, webhookEndpoints, type WebhookEndpoint } from "@/db/schema";
import { writeAudit } from "@/lib/loyalty/audit/audit-log";
import { LoyaltyError } from "@/lib/loyalty/errors";
import { actorLabel, authorize, type Actor } from "@/lib/loyalty/access/staff-permissions";
import { parseInput as parseStaffInput } from "@/lib/loyalty/input/parse-input";
import { createEndpointSchema, type ChangeEndpointInput, type CreateEndpointInput } from "./endpoint-input";
import { encryptWebhookSecret, newWebhookSecret } from "./secret";
import { checkWebhookTarget, WebhookTargetRefused } from "./target";

export interface EndpointView {
  id: number;
  url: string;
  /** null: every type. */
  eventTypes: string[] | null;
  enabled: boolean;
  createdAt: string;
}

function view(row: WebhookEndpoint): EndpointView {
  return { id: row.id, url: row.url, eventTypes: row.eventTypes, enabled: row.enabled, createdAt: row.createdAt.toISOString() };
}

/** Creates an endpoint, audited; the secret is in the answer and never again. */
export async function createWebhookEndpoint(db: Db, input: CreateEndpointInput, actor: string): Promise<EndpointView & { secret: string }> {
  await refuseUnsafeTarget(input.url);
  const secret = newWebhookSecret();
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(webhookEndpoints)
      .values({ url: input.url, eventTypes: input.eventTypes ?? null, secretEncrypted: encryptWebhookSecret(secret), createdBy: actor })
      .returning();
    await writeAudit(tx, { actor, action: "webhook_endpoint.create", targetType: "webhook_endpoint", targetId: row!.id, after: view(row!) });
    return { ...view(row!), secret };
  });
}

/** A private, loopback, link-local or metadata target (or http in production) is a validation error of `url`. */
async function refuseUnsafeTarget(url: string): Promise<void> {
  try {
    await checkWebhookTarget(url);
  } catch (error) {
    if (error instanceof WebhookTargetRefused) throw new LoyaltyError("validation_failed", `url: ${error.message}`, { field: "url" });
    throw error;
  }
}

/**
 * The admin page's "Add endpoint" form (role admin: webhooks:manage), the same checks as the API:
 * the edge's schema, then the target (a private or metadata address is a field error of `url`).
 */
export async function createWebhookEndpointAsStaff(
  db: Db,
  actor: Actor,
  input: { url: string; eventTypes?: string[] | null },
): Promise<EndpointView & { secret: string }> {
  authorize(actor, "webhooks:manage");
  return createWebhookEndpoint(db, parseStaffInput(createEndpointSchema, input), actorLabel(actor));
}

export async function listWebhookEndpoints(db: Db): Promise<EndpointView[]> {
  return (await db.select().from(webhookEndpoints).orderBy(desc(webhookEndpoints.id)).limit(500)).map(view);
}

export async function getWebhookEndpoint(db: Db, id: number): Promise<EndpointView> {
  const [row] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id));
  if (!row) throw new LoyaltyError("not_found", "No such webhook endpoint", { field: "id" });
  return view(row);
}

export async function changeWebhookEndpoint(db: Db, id: number, input: ChangeEndpointInput, actor: string): Promise<EndpointView> {
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id)).for("update");
    if (!before) throw new LoyaltyError("not_found", "No such webhook endpoint", { field: "id" });
    const [row] = await tx
      .update(webhookEndpoints)
      .set({
        ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
        ...(input.eventTypes !== undefined ? { eventTypes: input.eventTypes } : {}),
        updatedAt: new Date(),
      })
      .where(eq(webhookEndpoints.id, id))
      .returning();
    await writeAudit(tx, { actor, action: "webhook_endpoint.change", targetType: "webhook_endpoint", targetId: id, before: view(before), after: view(row!) });
    return view(row!);
  });
}

/**
 * Deletes the endpoint and its delivery log; the events stay in the outbox (until pruned). No
 * foreign key cascades (drizzle/0031): the deliveries are deleted here, and any a concurrent
 * outbox write adds for the endpoint after this commits are never claimed (the claim joins the
 * endpoint) and are removed by the pruning job.
 */
export async function deleteWebhookEndpoint(db: Db, id: number, actor: string): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx.delete(webhookEndpoints).where(eq(webhookEndpoints.id, id)).returning();
    if (!row) throw new LoyaltyError("not_found", "No such webhook endpoint", { field: "id" });
    await tx.delete(webhookDeliveries).where(eq(webhookDeliveries.endpointId, id));
    await writeAudit(tx, { actor, action: "webhook_endpoint.delete", targetType: "webhook_endpoint", targetId: id, before: view(row) });
  });
}
