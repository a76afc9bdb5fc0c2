import { inArray, sql } from "drizzle-orm";
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

/** Display names of "user:<id>" actors (their email), in one query; other actors are shown as stored. */
export async function actorLabels(ex: Executor, actors: readonly string[]): Promise<Map<string, string>> {
  const ids = [...new Set(actors.filter((a) => a.startsWith("user:")).map((a) => a.slice(5)))];
  if (ids.length === 0) return new Map();
  const rows = await ex.select({ id: users.id, email: users.email }).from(users).where(inArray(users.id, ids));
  return new Map(rows.map((r) => [`user:${r.id}`, r.email ?? r.id]));
}
