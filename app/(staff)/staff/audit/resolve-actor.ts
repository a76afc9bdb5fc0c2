import { sql } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { users } from "@/db/schema";

/** "admin@example.com" → "user:<id>" (audit entries name users by id); anything else is used as typed. */
export async function resolveActor(ex: Executor, text: string): Promise<string> {
  if (!text.includes("@") || text.includes(":")) return text.slice(0, 200);
  const [user] = await ex
    .select({ id: users.id })
    .from(users)
    .where(sql`lower(${users.email}) = ${text.toLowerCase()}`)
    .limit(1);
  return user ? `user:${user.id}` : `unknown:${text}`;
}
