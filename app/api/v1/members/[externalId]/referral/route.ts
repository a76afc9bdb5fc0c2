import { apiRoute } from "@/lib/http/api-route";
import { otherMethods } from "@/lib/http/methods";
import { json } from "@/lib/http/responses";
import { memberParamsSchema } from "@/lib/http/schemas";
import { parseInput } from "@/lib/http/validate";
import { env } from "@/lib/env";
import { getReferralLink } from "@/lib/loyalty/referrals/referral-codes";

export const dynamic = "force-dynamic";

/**
 * The member's referral code and link, `{code, link}` (docs/ledger.md, Referrals); the code is made
 * the first time it is asked for. The link's origin is AUTH_URL's when set, else the request's.
 */
export const GET = apiRoute<{ externalId: string }>("members:read", async ({ request, db }, params) => {
  const { externalId } = parseInput(memberParamsSchema, params);
  const authUrl = env().AUTH_URL;
  const origin = authUrl ? new URL(authUrl).origin : new URL(request.url).origin;
  return json(await getReferralLink(db, externalId, origin));
});

// Other methods answer 405 method_not_allowed (JSON, with Allow), not Next.js's empty 405.
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET");
