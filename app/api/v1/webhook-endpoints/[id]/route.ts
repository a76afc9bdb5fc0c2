import { apiRoute } from "@/lib/http/api-route";
import { otherMethods } from "@/lib/http/methods";
import { readJsonBody } from "@/lib/http/read-json";
import { json } from "@/lib/http/responses";
import { parseInput } from "@/lib/http/validate";
import { changeEndpointSchema, endpointIdSchema } from "@/lib/webhooks/endpoint-input";
import { changeWebhookEndpoint, deleteWebhookEndpoint, getWebhookEndpoint } from "@/lib/webhooks/endpoints";

export const dynamic = "force-dynamic";

type Params = { id: string };
const endpointId = (params: Params) => parseInput(endpointIdSchema, params.id, ["id"]);

export const GET = apiRoute<Params>("webhooks:write", async ({ db }, params) => json(await getWebhookEndpoint(db, endpointId(params))));

/** `{enabled?, eventTypes?}` (eventTypes null: every type); 200 the endpoint, audited. */
export const PATCH = apiRoute<Params>("webhooks:write", async ({ db, actor, request }, params) => {
  const id = endpointId(params);
  return json(await changeWebhookEndpoint(db, id, parseInput(changeEndpointSchema, await readJsonBody(request)), actor));
});

/** 204; the endpoint's delivery log goes with it. */
export const DELETE = apiRoute<Params>("webhooks:write", async ({ db, actor }, params) => {
  await deleteWebhookEndpoint(db, endpointId(params), actor);
  return new Response(null, { status: 204 });
});

export const { POST, PUT, OPTIONS } = otherMethods("GET", "PATCH", "DELETE");
