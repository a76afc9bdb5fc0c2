import { eq, sql } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { members, type Member } from "@/db/schema";
import { pgArray } from "./pg-array";

export async function getMemberByExternalId(ex: Executor, externalId: string): Promise<Member | null> {
  const [row] = await ex.select().from(members).where(eq(members.externalId, externalId)).limit(1);
  return row ?? null;
}

export async function getMemberById(ex: Executor, id: number): Promise<Member | null> {
  const [row] = await ex.select().from(members).where(eq(members.id, id)).limit(1);
  return row ?? null;
}

/** Members of a batch, one query over the external_id unique index. */
export async function findMembersByExternalIds(ex: Executor, externalIds: readonly string[]): Promise<Member[]> {
  const unique = [...new Set(externalIds)];
  if (unique.length === 0) return [];
  return ex
    .select()
    .from(members)
    .where(sql`${members.externalId} = ANY(${pgArray(unique)}::text[])`);
}
