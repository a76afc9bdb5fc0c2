import type { OpenAPIRegistry } from "@asteasolutions/zod-to-openapi";
import { z } from "zod";
import { errorSchema } from "@/lib/http/schemas";
import { campaignJsonSchema, campaignListJsonSchema, createCampaignDocSchema, patchCampaignDocSchema } from "@/lib/loyalty/campaigns/campaign-json";
import { registerApiPath } from "./document";

const json = (schema: z.ZodType, description: string) => ({ description, content: { "application/json": { schema } } });
const idParams = z.object({ id: z.string().meta({ example: "42" }) });

/** The campaigns operations, for marketing tools. */
export function registerCampaignPaths(registry: OpenAPIRegistry): void {
  registerApiPath(registry, "campaigns:read", {
    method: "get",
    path: "/api/v1/campaigns",
    operationId: "listCampaigns",
    summary: "Current (scheduled, active, paused) and past campaigns with the points each awarded",
    request: { query: z.object({ pastCursor: z.string().optional() }) },
    responses: { 200: json(campaignListJsonSchema, "The campaigns") },
  });
  registerApiPath(registry, "campaigns:write", {
    method: "post",
    path: "/api/v1/campaigns",
    operationId: "createCampaign",
    summary: "Schedule a points multiplier campaign",
    request: { body: { required: true, content: { "application/json": { schema: createCampaignDocSchema } } } },
    responses: {
      201: json(campaignJsonSchema, "Created"),
      422: json(errorSchema, "A window that is in the past or does not exist in its time zone"),
    },
  });
  registerApiPath(registry, "campaigns:read", {
    method: "get",
    path: "/api/v1/campaigns/{id}",
    operationId: "getCampaign",
    summary: "One campaign",
    request: { params: idParams },
    responses: { 200: json(campaignJsonSchema, "The campaign"), 404: json(errorSchema, "Unknown campaign") },
  });
  registerApiPath(registry, "campaigns:write", {
    method: "patch",
    path: "/api/v1/campaigns/{id}",
    operationId: "changeCampaign",
    summary: "Edit a campaign before it starts, or pause, resume, end early or archive it",
    request: {
      params: idParams,
      body: { required: true, content: { "application/json": { schema: patchCampaignDocSchema } } },
    },
    responses: {
      200: json(campaignJsonSchema, "The campaign after the change"),
      404: json(errorSchema, "Unknown campaign"),
      409: json(errorSchema, "The action does not fit the campaign's state (e.g. resuming one that is not paused)"),
      422: json(errorSchema, "campaign_started: terms cannot change once it has started"),
    },
  });
}
