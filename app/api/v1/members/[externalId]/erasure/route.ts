import { apiRoute } from "@/lib/http/api-route";
import { otherMethods } from "@/lib/http/methods";
import { erasureRequestSchema } from "@/lib/http/privacy-schemas";
import { readJsonBody } from "@/lib/http/read-json";
import { json } from "@/lib/http/responses";
import { memberParamsSchema } from "@/lib/http/schemas";
import { parseInput } from "@/lib/http/validate";
import { apiActor } from "@/lib/loyalty/access/api-actor";
import { eraseMember } from "@/lib/loyalty/members/erase-member";
import { erasedIdDigest } from "@/lib/privacy/erased-id-digest";

export const dynamic = "force-dynamic";

/**
 * Erases the member (docs/privacy.md): 200 with what was done; a repeat (the old external id or
 * the tombstone) answers 200 with `alreadyErased: true` and changes nothing. 404 member_not_found;
 * 409 conflict when the member's account holds staff roles; 400 naming `reason`.
 */
export const POST = apiRoute<{ externalId: string }>("members:erase", async ({ request, db, apiKey, now }, params) => {
  const { externalId } = parseInput(memberParamsSchema, params);
  const { reason } = parseInput(erasureRequestSchema, await readJsonBody(request));
  const result = await eraseMember(db, apiActor(apiKey), { externalId, reason }, { now, digest: erasedIdDigest });
  return json({ ...result, erasedAt: result.erasedAt.toISOString() });
});

// Other methods answer 405 method_not_allowed (JSON, with Allow), not Next.js's empty 405.
export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods("POST");
