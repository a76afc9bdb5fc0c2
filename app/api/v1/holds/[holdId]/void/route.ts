import { apiRoute } from "@/lib/http/api-route";
import { otherMethods } from "@/lib/http/methods";
import { json } from "@/lib/http/responses";
import { holdParamsSchema } from "@/lib/http/schemas";
import { parseInput } from "@/lib/http/validate";
import { voidHold } from "@/lib/loyalty/redemption/hold-points";

/** 200 the hold released (again on a replay, duplicate: true); 409 conflict when it was captured; 404 hold_not_found. */
export const POST = apiRoute<{ holdId: string }>("redemptions:write", async ({ db, actor, now }, params) => {
  const { holdId } = parseInput(holdParamsSchema, params);
  return json(await voidHold(db, { holdId }, { now, actor }));
});

// Other methods answer 405 method_not_allowed (JSON, with Allow), not Next.js's empty 405.
export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods("POST");
