import { apiRoute } from "@/lib/http/api-route";
import { readJsonBody } from "@/lib/http/read-json";
import { json } from "@/lib/http/responses";
import { memberParamsSchema, redemptionRequestSchema } from "@/lib/http/schemas";
import { parseInput } from "@/lib/http/validate";
import { redeemPoints } from "@/lib/loyalty/redemption/redeem-points";
import { otherMethods } from "@/lib/http/methods";

/**
 * 201 redeemed (points, or a reward's cost and one item of its stock); 200 with the first result
 * when the referenceId is replayed; 409 insufficient_points or out_of_stock; 422 reward_unavailable;
 * 404 member_not_found or reward_not_found.
 */
export const POST = apiRoute<{ externalId: string }>("redemptions:write", async ({ request, db, actor, now }, params) => {
  const { externalId } = parseInput(memberParamsSchema, params);
  const input = parseInput(redemptionRequestSchema, await readJsonBody(request));
  const result = await redeemPoints(db, { memberExternalId: externalId, ...input }, { now, actor });
  const { transactionId, points, availablePoints, duplicate, couponCode } = result;
  return json({ transactionId, points, availablePoints, duplicate, ...(couponCode ? { couponCode } : {}) }, duplicate ? 200 : 201);
});

// Other methods answer 405 method_not_allowed (JSON, with Allow), not Next.js's empty 405.
export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods("POST");
