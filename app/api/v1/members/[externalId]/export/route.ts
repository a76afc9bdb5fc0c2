import { apiRoute } from "@/lib/http/api-route";
import { otherMethods } from "@/lib/http/methods";
import { json } from "@/lib/http/responses";
import { memberParamsSchema } from "@/lib/http/schemas";
import { parseInput } from "@/lib/http/validate";
import { apiActor } from "@/lib/loyalty/access/api-actor";
import { exportFileName, exportMemberData } from "@/lib/loyalty/members/export-member-data";

export const dynamic = "force-dynamic";

/** The member's data as one JSON document (docs/privacy.md); audited as member.export. 404 member_not_found. */
export const GET = apiRoute<{ externalId: string }>("members:export", async ({ db, apiKey, now }, params) => {
  const { externalId } = parseInput(memberParamsSchema, params);
  const data = await exportMemberData(db, apiActor(apiKey), { externalId }, { channel: "api", now });
  return json(data, 200, { "content-disposition": `attachment; filename="${exportFileName(data)}"` });
});

// Other methods answer 405 method_not_allowed (JSON, with Allow), not Next.js's empty 405.
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET");
