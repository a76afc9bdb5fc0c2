import { getDb } from "@/db/client";
import { getCurrentUser } from "@/lib/auth/session";
import { otherMethods } from "@/lib/http/methods";
import { json } from "@/lib/http/responses";
import { isLoyaltyError } from "@/lib/loyalty/errors";
import { externalIdSchema } from "@/lib/loyalty/accrual/event-input";
import { exportFileName, exportMemberData } from "@/lib/loyalty/members/export-member-data";

export const dynamic = "force-dynamic";

/** The member's data as a JSON download (support and admins; audited as member.export, docs/privacy.md). */
export async function GET(_request: Request, route: { params: Promise<{ externalId: string }> }): Promise<Response> {
  const user = await getCurrentUser();
  if (!user) return json({ error: "unauthorized", message: "Sign in first" }, 401);
  let externalId: string;
  try {
    externalId = decodeURIComponent((await route.params).externalId);
  } catch {
    return json({ error: "validation_failed", message: "externalId: not a usable value", field: "externalId" }, 400);
  }
  if (!externalIdSchema.safeParse(externalId).success) {
    return json({ error: "validation_failed", message: "externalId: not a usable value", field: "externalId" }, 400);
  }
  try {
    const data = await exportMemberData(getDb(), { kind: "user", id: user.id, roles: user.roles }, { externalId }, { channel: "console" });
    return json(data, 200, { "content-disposition": `attachment; filename="${exportFileName(data)}"` });
  } catch (error) {
    if (isLoyaltyError(error)) return json({ error: error.code, message: error.message }, error.status);
    throw error;
  }
}

// Other methods answer 405 method_not_allowed (JSON, with Allow), not Next.js's empty 405.
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET");
