import { z } from "zod";
import { apiRoute } from "@/lib/http/api-route";
import { otherMethods } from "@/lib/http/methods";
import { readJsonBody } from "@/lib/http/read-json";
import { json } from "@/lib/http/responses";
import { parseInput } from "@/lib/http/validate";
import { apiActor } from "@/lib/loyalty/access/api-actor";
import { catalogReward, couponCodesSchema, patchReward } from "@/lib/loyalty/program/coupon-rewards";
import { getReward } from "@/lib/loyalty/program/rewards";

export const dynamic = "force-dynamic";

const paramsSchema = z.object({
  id: z
    .string()
    .regex(/^[1-9][0-9]{0,15}$/, "must be a reward id")
    .transform(Number),
});
const codesOnly = z.object({ codes: couponCodesSchema.optional() }).passthrough();

export const GET = apiRoute<{ id: string }>("rewards:read", async ({ db, apiKey }, params) => {
  const { id } = parseInput(paramsSchema, params);
  return json(await catalogReward(db, await getReward(db, apiActor(apiKey), id)));
});

/** The fields given replace the reward's (its kind never changes); `codes` are added to a coupon's pool. */
export const PATCH = apiRoute<{ id: string }>("rewards:write", async ({ db, apiKey, request, now }, params) => {
  const { id } = parseInput(paramsSchema, params);
  const { codes, ...change } = parseInput(codesOnly, await readJsonBody(request));
  const reward = await patchReward(db, apiActor(apiKey), id, change, codes ?? [], now);
  return json(await catalogReward(db, reward));
});

// Other methods answer 405 method_not_allowed (JSON, with Allow), not Next.js's empty 405.
export const { POST, PUT, DELETE, OPTIONS } = otherMethods("GET", "PATCH");
