import { apiRoute } from "@/lib/http/api-route";
import { otherMethods } from "@/lib/http/methods";
import { readJsonBody } from "@/lib/http/read-json";
import { json } from "@/lib/http/responses";
import { holdRequestSchema, memberParamsSchema } from "@/lib/http/schemas";
import { parseInput } from "@/lib/http/validate";
import { createHold } from "@/lib/loyalty/redemption/hold-points";

/**
 * 201 points held at checkout until expiresAt; 200 with the first hold when the referenceId is
 * replayed; 409 insufficient_points when fewer points can be held (for that long); 404 member_not_found.
 */
export const POST = apiRoute<{ externalId: string }>("redemptions:write", async ({ request, db, actor, now }, params) => {
  const { externalId } = parseInput(memberParamsSchema, params);
  const input = parseInput(holdRequestSchema, await readJsonBody(request));
  const hold = await createHold(db, { memberExternalId: externalId, ...input }, { now, actor });
  return json(hold, hold.duplicate ? 200 : 201);
});

// Other methods answer 405 method_not_allowed (JSON, with Allow), not Next.js's empty 405.
export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods("POST");
