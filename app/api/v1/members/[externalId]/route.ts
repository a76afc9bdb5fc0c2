import { cachedMemberSummary } from "@/lib/cache/member-summary-cache";
import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/responses";
import { memberParamsSchema } from "@/lib/http/schemas";
import { parseInput } from "@/lib/http/validate";
import { otherMethods } from "@/lib/http/methods";

export const dynamic = "force-dynamic";

/**
 * Balance, tier and expiring points, cached for 30 s and dropped when one of the member's
 * transactions commits (lib/cache). A display read: redemptions and accruals never use it.
 */
export const GET = apiRoute<{ externalId: string }>("members:read", async ({ db, now }, params) => {
  const { externalId } = parseInput(memberParamsSchema, params);
  return json(await cachedMemberSummary(db, externalId, now));
});

// Other methods answer 405 method_not_allowed (JSON, with Allow), not Next.js's empty 405.
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET");
