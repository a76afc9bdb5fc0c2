import { getBalance } from "@/db/queries/balances";
import { apiRoute } from "@/lib/http/api-route";
import { readJsonBody } from "@/lib/http/read-json";
import { json } from "@/lib/http/responses";
import { createMemberSchema } from "@/lib/http/schemas";
import { parseInput } from "@/lib/http/validate";
import { memberView } from "@/lib/http/views";
import { createMemberWithReferral } from "@/lib/loyalty/referrals/referral-codes";
import { otherMethods } from "@/lib/http/methods";

/**
 * Creates a member, or answers 200 with the one that already has this externalId. With a
 * `referralCode` the member is attributed to its owner in the same transaction (docs/ledger.md,
 * Referrals): the answer's `referral` is pending, or refused with its reason; an unknown code is 422
 * naming `referralCode` and creates nothing.
 */
export const POST = apiRoute("members:write", async ({ request, db, now }) => {
  const input = parseInput(createMemberSchema, await readJsonBody(request));
  const { member, created, referral } = await createMemberWithReferral(db, input, now);
  const view = memberView(member, created ? null : await getBalance(db, member.id));
  const outcome = referral ? { status: referral.status, ...(referral.refusalReason ? { reason: referral.refusalReason } : {}) } : undefined;
  return json(outcome ? { ...view, referral: outcome } : view, created ? 201 : 200);
});

// Other methods answer 405 method_not_allowed (JSON, with Allow), not Next.js's empty 405.
export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods("POST");
