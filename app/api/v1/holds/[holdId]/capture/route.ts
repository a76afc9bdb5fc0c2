import { apiRoute } from "@/lib/http/api-route";
import { otherMethods } from "@/lib/http/methods";
import { readJsonBody } from "@/lib/http/read-json";
import { json } from "@/lib/http/responses";
import { holdCaptureRequestSchema, holdParamsSchema } from "@/lib/http/schemas";
import { parseInput } from "@/lib/http/validate";
import { captureHold } from "@/lib/loyalty/redemption/hold-points";

/**
 * 201 captured as a redemption of at most the held points (the rest released); 200 with the first
 * capture when replayed; 409 hold_expired, or conflict when the hold was voided or captured under
 * another reference; 404 hold_not_found.
 */
export const POST = apiRoute<{ holdId: string }>("redemptions:write", async ({ request, db, actor, now }, params) => {
  const { holdId } = parseInput(holdParamsSchema, params);
  const input = parseInput(holdCaptureRequestSchema, await readJsonBody(request));
  const capture = await captureHold(db, { holdId, ...input }, { now, actor });
  return json(capture, capture.duplicate ? 200 : 201);
});

// Other methods answer 405 method_not_allowed (JSON, with Allow), not Next.js's empty 405.
export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods("POST");
