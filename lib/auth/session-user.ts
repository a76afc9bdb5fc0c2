import { and, eq, sql } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { parsePgArray } from "@/lib/loyalty/campaigns/campaign-row";
import { userRoles, users, type Role } from "@/db/schema";

export interface SessionUser {
  id: string;
  email: string;
  name: string | null;
  memberId: number | null;
  roles: Role[];
  /** TOTP second factor is on (lib/auth/two-factor.ts). */
  totpEnabled?: boolean;
}

/**
 * The signed-in user as the database knows them now. The session cookie only carries the user id:
 * roles and the member link are read on every request, so a removed role stops working at once.
 */
export async function loadSessionUser(ex: Executor, userId: string, sessionVersion?: number): Promise<SessionUser | null> {
  const rows = await ex
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      memberId: users.memberId,
      totpEnabled: sql<boolean>`${users.totpEnabledAt} is not null`,
      roles: sql<Role[] | null>`array_remove(array_agg(${userRoles.role} order by ${userRoles.role}), null)`,
    })
    .from(users)
    .leftJoin(userRoles, eq(userRoles.userId, users.id))
    // A cookie issued before a password change, "sign out everywhere" or a removed role carries an
    // older version: no user, as if signed out. Cookies from before versions existed count as 0.
    .where(and(eq(users.id, userId), eq(users.sessionVersion, sessionVersion ?? 0)))
    .groupBy(users.id);
  const row = rows[0];
  if (!row) return null;
  return {
    id: row.id,
    email: row.email ?? "",
    name: row.name,
    memberId: row.memberId,
    totpEnabled: row.totpEnabled === true,
    roles: parsePgArray<Role>(row.roles),
  };
}

export function hasAnyRole(user: Pick<SessionUser, "roles">, roles: readonly Role[]): boolean {
  return roles.some((r) => user.roles.includes(r));
}

/** The version a new session cookie carries (read at sign-in, for every provider). */
export async function currentSessionVersion(ex: Executor, userId: string): Promise<number> {
  const [row] = await ex.select({ version: users.sessionVersion }).from(users).where(eq(users.id, userId));
  return row?.version ?? 0;
}

/** Ends every session of this user at once, this one included ("sign out everywhere", a new password). */
export async function endAllSessions(ex: Executor, userId: string): Promise<number> {
  const [row] = await ex
    .update(users)
    .set({ sessionVersion: sql`${users.sessionVersion} + 1` })
    .where(eq(users.id, userId))
    .returning({ version: users.sessionVersion });
  return row?.version ?? 0;
}
