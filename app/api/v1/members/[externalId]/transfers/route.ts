import { apiRoute } from "@/lib/http/api-route";
import { otherMethods } from "@/lib/http/methods";
import { readJsonBody } from "@/lib/http/read-json";
import { json } from "@/lib/http/responses";
import { memberParamsSchema, transferRequestSchema } from "@/lib/http/schemas";
import { parseInput } from "@/lib/http/validate";
import { transferPoints } from "@/lib/loyalty/transfers/transfer-points";

/**
 * 201 transferred (the sender's redeemable points, keeping their expiry); 200 with the first result
 * when replayed; 409 insufficient_points; 422 limit_exceeded; 404 member_not_found.
 */
export const POST = apiRoute<{ externalId: string }>("redemptions:write", async ({ request, db, actor, now }, params) => {
  const { externalId } = parseInput(memberParamsSchema, params);
  const input = parseInput(transferRequestSchema, await readJsonBody(request));
  const result = await transferPoints(db, { fromMemberExternalId: externalId, ...input }, { now, actor });
  return json(result, result.duplicate ? 200 : 201);
});

// Other methods answer 405 method_not_allowed (JSON, with Allow), not Next.js's empty 405.
export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods("POST");
