import type { Db } from "@/db/client";
import { userRoles } from "@/db/schema";

/** A user created by the OIDC provider (through the adapter) becomes a member like a signed-up one. */
export async function onOAuthUserCreated(db: Db, userId: string): Promise<void> {
  await db.insert(userRoles).values({ userId, role: "member" }).onConflictDoNothing();
}
