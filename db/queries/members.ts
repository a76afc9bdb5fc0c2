import { eq } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { members, type Member } from "@/db/schema";

export async function getMemberByExternalId(ex: Executor, externalId: string): Promise<Member | null> {
  const [row] = await ex.select().from(members).where(eq(members.externalId, externalId)).limit(1);
  return row ?? null;
}

export async function getMemberById(ex: Executor, id: number): Promise<Member | null> {
  const [row] = await ex.select().from(members).where(eq(members.id, id)).limit(1);
  return row ?? null;
}
