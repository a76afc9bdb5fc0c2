import { eq, sql } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { userRoles, users } from "@/db/schema";
import { LoyaltyError } from "@/lib/loyalty/errors";
import type { Actor } from "@/lib/loyalty/access/staff-permissions";
import { parseStaffEmail } from "./staff-accounts";

/**
 * The staff account an operator names on the command line (`--actor EMAIL`), as the actor the
 * services check and the audit log records (`user:<id>`), with its roles as they are now: the CLI
 * may do what that account may do in the console, no more. An unknown email is not_found.
 */
export async function staffActorByEmail(ex: Executor, email: string): Promise<Actor> {
  const address = parseStaffEmail(email);
  const [user] = await ex
    .select({ id: users.id })
    .from(users)
    .where(sql`lower(${users.email}) = ${address}`)
    .limit(1);
  if (!user) throw new LoyaltyError("not_found", `No staff account with the email ${address}.`, { field: "actor" });
  const roles = (await ex.select({ role: userRoles.role }).from(userRoles).where(eq(userRoles.userId, user.id))).map((r) => r.role);
  return { kind: "user", id: user.id, roles };
}
