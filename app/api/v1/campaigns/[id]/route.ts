import { z } from "zod";
import { apiRoute } from "@/lib/http/api-route";
import { readJsonBody } from "@/lib/http/read-json";
import { json } from "@/lib/http/responses";
import { parseInput } from "@/lib/http/validate";
import { apiActor } from "@/lib/loyalty/access/api-actor";
import { campaignJson } from "@/lib/loyalty/campaigns/campaign-json";
import { getCampaign } from "@/lib/loyalty/campaigns/list-campaigns";
import { changeCampaign } from "@/lib/loyalty/campaigns/change-campaigns";
import { otherMethods } from "@/lib/http/methods";

export const dynamic = "force-dynamic";

const campaignParamsSchema = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });

export const GET = apiRoute<{ id: string }>("campaigns:read", async ({ db, apiKey, now }, params) => {
  const { id } = parseInput(campaignParamsSchema, params);
  return json(campaignJson(await getCampaign(db, apiActor(apiKey), id, now)));
});

export const PATCH = apiRoute<{ id: string }>("campaigns:write", async ({ db, apiKey, now, request }, params) => {
  const { id } = parseInput(campaignParamsSchema, params);
  const body = await readJsonBody(request);
  const actor = apiActor(apiKey);
  await changeCampaign(db, id, body, { actor, now });
  return json(campaignJson(await getCampaign(db, actor, id, now)));
});

// Other methods answer 405 method_not_allowed (JSON, with Allow), not Next.js's empty 405.
export const { POST, PUT, DELETE, OPTIONS } = otherMethods("GET", "PATCH");
