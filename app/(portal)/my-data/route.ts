import { getDb } from "@/db/client";
import { getCurrentUser } from "@/lib/auth/session";
import { otherMethods } from "@/lib/http/methods";
import { json } from "@/lib/http/responses";
import { exportFileName, exportOwnData } from "@/lib/loyalty/members/export-member-data";

export const dynamic = "force-dynamic";

/**
 * "Download my data" (docs/privacy.md): the signed-in account's own member as JSON, nobody else's
 * (the member comes from the session, never from the request). A read: nothing is written.
 */
export async function GET(): Promise<Response> {
  const user = await getCurrentUser();
  if (!user) return json({ error: "unauthorized", message: "Sign in first" }, 401);
  // Signed in, so allowed: an account without a member (a staff account) simply has nothing to download.
  if (user.memberId === null) return json({ error: "member_not_found", message: "This account has no membership" }, 404);
  const data = await exportOwnData(getDb(), user);
  return json(data, 200, { "content-disposition": `attachment; filename="${exportFileName(data)}"` });
}

// Other methods answer 405 method_not_allowed (JSON, with Allow), not Next.js's empty 405.
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET");
