import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/responses";
import { memberParamsSchema } from "@/lib/http/schemas";
import { parseInput } from "@/lib/http/validate";
import { getMemberSummary } from "@/lib/loyalty/members";

export const dynamic = "force-dynamic";

export const GET = apiRoute<{ externalId: string }>("members:read", async ({ db, now }, params) => {
  const { externalId } = parseInput(memberParamsSchema, params);
  return json(await getMemberSummary(db, externalId, now));
});
