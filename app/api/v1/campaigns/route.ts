import { z } from "zod";
import { apiRoute } from "@/lib/http/api-route";
import { readJsonBody } from "@/lib/http/read-json";
import { json } from "@/lib/http/responses";
import { queryInteger } from "@/lib/http/schemas";
import { parseInput, searchParamsOf } from "@/lib/http/validate";
import { apiActor } from "@/lib/loyalty/access/api-actor";
import { campaignJson } from "@/lib/loyalty/campaigns/campaign-json";
import { getCampaign, listCampaigns } from "@/lib/loyalty/campaigns/list-campaigns";
import { createCampaign } from "@/lib/loyalty/campaigns/change-campaigns";
import { otherMethods } from "@/lib/http/methods";

export const dynamic = "force-dynamic";

const listQuerySchema = z.object({ pastCursor: queryInteger().optional() }).strict();

export const GET = apiRoute("campaigns:read", async ({ db, apiKey, now, request }) => {
  const query = parseInput(listQuerySchema, searchParamsOf(request));
  const lists = await listCampaigns(db, apiActor(apiKey), { now, pastCursor: query.pastCursor });
  return json({
    current: lists.current.map(campaignJson),
    past: lists.past.map(campaignJson),
    nextPastCursor: lists.nextPastCursor === null ? null : String(lists.nextPastCursor),
  });
});

export const POST = apiRoute("campaigns:write", async ({ db, apiKey, now, request }) => {
  const body = await readJsonBody(request);
  const actor = apiActor(apiKey);
  const created = await createCampaign(db, body, { actor, now });
  return json(campaignJson(await getCampaign(db, actor, created.id, now)), 201);
});

// Other methods answer 405 method_not_allowed (JSON, with Allow), not Next.js's empty 405.
export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET", "POST");
