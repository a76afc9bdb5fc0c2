import { z } from "zod";
import { apiRoute } from "@/lib/http/api-route";
import { otherMethods } from "@/lib/http/methods";
import { readJsonBody } from "@/lib/http/read-json";
import { json } from "@/lib/http/responses";
import { queryInteger } from "@/lib/http/schemas";
import { parseInput, searchParamsOf } from "@/lib/http/validate";
import { apiActor } from "@/lib/loyalty/access/api-actor";
import { catalogReward, catalogRewards, couponCodesSchema } from "@/lib/loyalty/program/coupon-rewards";
import { createReward, listRewards } from "@/lib/loyalty/program/rewards";

export const dynamic = "force-dynamic";

const listQuerySchema = z.object({ cursor: queryInteger().optional(), limit: queryInteger(200).optional() }).strict();
const codesOnly = z.object({ codes: couponCodesSchema.optional() }).passthrough();

/** The catalog, newest first: `{items, nextCursor}`. */
export const GET = apiRoute("rewards:read", async ({ db, apiKey, request }) => {
  const query = parseInput(listQuerySchema, searchParamsOf(request));
  const page = await listRewards(db, apiActor(apiKey), { cursor: query.cursor, limit: query.limit });
  return json({ items: await catalogRewards(db, page.items), nextCursor: page.nextCursor === null ? null : String(page.nextCursor) });
});

/** 201 the reward; a coupon takes `codes` (its first pool) or a `codePrefix` to generate them. */
export const POST = apiRoute("rewards:write", async ({ db, apiKey, request, now }) => {
  const body = await readJsonBody(request);
  const { codes, ...fields } = parseInput(codesOnly, body);
  const reward = await createReward(db, fields, { actor: apiActor(apiKey), now, codes: codes ?? [] });
  return json(await catalogReward(db, reward), 201);
});

// Other methods answer 405 method_not_allowed (JSON, with Allow), not Next.js's empty 405.
export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET", "POST");
