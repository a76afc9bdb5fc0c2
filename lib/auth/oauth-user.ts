import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { userRoles, users } from "@/db/schema";
import { startMembership } from "./membership";

/**
 * A user created by the OIDC provider (through the adapter) becomes a member like a signed-up one:
 * a new member at once, or, when their email matches an existing member, a pending link they
 * confirm by email from the /check-email page (the provider's word on the email is not enough to
 * hand over someone's points).
 */
export async function onOAuthUserCreated(db: Db, userId: string, now: Date = new Date()): Promise<void> {
  await db.transaction(async (tx) => {
    const [user] = await tx
      .select({ id: users.id, email: users.email, name: users.name, memberId: users.memberId })
      .from(users)
      .where(eq(users.id, userId))
      .for("update");
    if (!user) return;
    await tx.insert(userRoles).values({ userId, role: "member" }).onConflictDoNothing();
    if (user.memberId === null) await startMembership(tx, user, now, { issueToken: false });
  });
}
