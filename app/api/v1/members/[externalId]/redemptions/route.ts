import { apiRoute } from "@/lib/http/api-route";
import { readJsonBody } from "@/lib/http/read-json";
import { json } from "@/lib/http/responses";
import { memberParamsSchema, redemptionRequestSchema } from "@/lib/http/schemas";
import { parseInput } from "@/lib/http/validate";
import { redeemPoints } from "@/lib/loyalty/redemption";

/** 201 redeemed; 409 insufficient_points; 200 with the first result when the referenceId is replayed. */
export const POST = apiRoute<{ externalId: string }>("redemptions:write", async ({ request, db, actor, now }, params) => {
  const { externalId } = parseInput(memberParamsSchema, params);
  const input = parseInput(redemptionRequestSchema, await readJsonBody(request));
  const result = await redeemPoints(db, { memberExternalId: externalId, ...input }, { now, actor });
  const { transactionId, points, availablePoints, duplicate } = result;
  return json({ transactionId, points, availablePoints, duplicate }, duplicate ? 200 : 201);
});
