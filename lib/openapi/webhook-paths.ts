import type { OpenAPIRegistry } from "@asteasolutions/zod-to-openapi";
import { z } from "zod";
import { errorSchema } from "@/lib/http/schemas";
import { WEBHOOK_EVENT_TYPES } from "@/lib/webhooks/event-types";
import { changeEndpointSchema, createEndpointSchema } from "@/lib/webhooks/endpoint-input";
import { registerApiPath } from "./document";

const json = (schema: z.ZodType, description: string) => ({ description, content: { "application/json": { schema } } });
const idParams = z.object({ id: z.string().meta({ example: "7" }) });

const endpointSchema = z
  .object({
    id: z.number().int(),
    url: z.string(),
    eventTypes: z.array(z.enum(WEBHOOK_EVENT_TYPES)).nullable().meta({ description: "null: every event type" }),
    enabled: z.boolean(),
    createdAt: z.string(),
  })
  .meta({ id: "WebhookEndpoint" });
const createdSchema = endpointSchema
  .extend({ secret: z.string().meta({ description: "The Standard Webhooks signing secret (whsec_…), shown in this answer only" }) })
  .meta({ id: "WebhookEndpointCreated" });

/** The webhook endpoints operations (docs/webhooks.md says what is sent and how it is signed). */
export function registerWebhookPaths(registry: OpenAPIRegistry): void {
  registerApiPath(registry, "webhooks:write", {
    method: "get",
    path: "/api/v1/webhook-endpoints",
    operationId: "listWebhookEndpoints",
    summary: "The webhook endpoints, newest first (without their secrets)",
    responses: { 200: json(z.object({ endpoints: z.array(endpointSchema) }), "The endpoints") },
  });
  registerApiPath(registry, "webhooks:write", {
    method: "post",
    path: "/api/v1/webhook-endpoints",
    operationId: "createWebhookEndpoint",
    summary: "Add an endpoint that receives signed events (audited); the answer carries its secret, once",
    request: { body: { required: true, content: { "application/json": { schema: createEndpointSchema } } } },
    responses: { 201: json(createdSchema, "Created") },
  });
  registerApiPath(registry, "webhooks:write", {
    method: "get",
    path: "/api/v1/webhook-endpoints/{id}",
    operationId: "getWebhookEndpoint",
    summary: "One endpoint",
    request: { params: idParams },
    responses: { 200: json(endpointSchema, "The endpoint"), 404: json(errorSchema, "Unknown endpoint") },
  });
  registerApiPath(registry, "webhooks:write", {
    method: "patch",
    path: "/api/v1/webhook-endpoints/{id}",
    operationId: "changeWebhookEndpoint",
    summary: "Enable or disable an endpoint, or change its event types (audited)",
    request: { params: idParams, body: { required: true, content: { "application/json": { schema: changeEndpointSchema } } } },
    responses: { 200: json(endpointSchema, "The endpoint after the change"), 404: json(errorSchema, "Unknown endpoint") },
  });
  registerApiPath(registry, "webhooks:write", {
    method: "delete",
    path: "/api/v1/webhook-endpoints/{id}",
    operationId: "deleteWebhookEndpoint",
    summary: "Delete an endpoint and its delivery log (audited)",
    request: { params: idParams },
    responses: { 204: { description: "Deleted" }, 404: json(errorSchema, "Unknown endpoint") },
  });
}
