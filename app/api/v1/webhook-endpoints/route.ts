import { apiRoute } from "@/lib/http/api-route";
import { otherMethods } from "@/lib/http/methods";
import { readJsonBody } from "@/lib/http/read-json";
import { json } from "@/lib/http/responses";
import { parseInput } from "@/lib/http/validate";
import { createEndpointSchema } from "@/lib/webhooks/endpoint-input";
import { createWebhookEndpoint, listWebhookEndpoints } from "@/lib/webhooks/endpoints";

export const dynamic = "force-dynamic";

/** The endpoints, newest first (without their secrets). */
export const GET = apiRoute("webhooks:write", async ({ db }) => json({ endpoints: await listWebhookEndpoints(db) }));

/** 201 `{id, url, eventTypes, enabled, createdAt, secret}`: the secret is shown here only. */
export const POST = apiRoute("webhooks:write", async ({ db, actor, request }) =>
  json(await createWebhookEndpoint(db, parseInput(createEndpointSchema, await readJsonBody(request)), actor), 201),
);

export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET", "POST");
