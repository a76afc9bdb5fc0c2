import { eq, sql } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { parsePgArray } from "@/lib/loyalty/campaign-row";
import { userRoles, users, type Role } from "@/db/schema";

export interface SessionUser {
  id: string;
  email: string;
  name: string | null;
  memberId: number | null;
  roles: Role[];
}

/**
 * The signed-in user as the database knows them now. The session cookie only carries the user id:
 * roles and the member link are read on every request, so a removed role stops working at once.
 */
export async function loadSessionUser(ex: Executor, userId: string): Promise<SessionUser | null> {
  const rows = await ex
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      memberId: users.memberId,
      roles: sql<Role[] | null>`array_remove(array_agg(${userRoles.role} order by ${userRoles.role}), null)`,
    })
    .from(users)
    .leftJoin(userRoles, eq(userRoles.userId, users.id))
    .where(eq(users.id, userId))
    .groupBy(users.id);
  const row = rows[0];
  if (!row) return null;
  return {
    id: row.id,
    email: row.email ?? "",
    name: row.name,
    memberId: row.memberId,
    roles: parsePgArray<Role>(row.roles),
  };
}


export function hasAnyRole(user: Pick<SessionUser, "roles">, roles: readonly Role[]): boolean {
  return roles.some((r) => user.roles.includes(r));
}
