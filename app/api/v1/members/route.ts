import { getBalance } from "@/db/queries/balances";
import { apiRoute } from "@/lib/http/api-route";
import { readJsonBody } from "@/lib/http/read-json";
import { json } from "@/lib/http/responses";
import { createMemberSchema } from "@/lib/http/schemas";
import { parseInput } from "@/lib/http/validate";
import { memberView } from "@/lib/http/views";
import { ensureMember } from "@/lib/loyalty/members";
import { otherMethods } from "@/lib/http/methods";

/** Creates a member, or answers 200 with the one that already has this externalId. */
export const POST = apiRoute("members:write", async ({ request, db }) => {
  const input = parseInput(createMemberSchema, await readJsonBody(request));
  const { member, created } = await ensureMember(db, input);
  return json(memberView(member, created ? null : await getBalance(db, member.id)), created ? 201 : 200);
});

// Other methods answer 405 method_not_allowed (JSON, with Allow), not Next.js's empty 405.
export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods("POST");
