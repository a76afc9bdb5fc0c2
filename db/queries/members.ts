import { eq, sql } from "drizzle-orm";
import { queryRows, type Executor, type Tx } from "@/db/client";
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

/**
 * Creates the members of these external ids that do not exist yet, each with its balance row, in
 * one statement (what ensureMember does for one, set-based for an import's batch). Existing members
 * are left untouched; a member created concurrently is simply not created again. Returns how many
 * were created.
 */
export async function createMissingMembers(tx: Tx, externalIds: readonly string[]): Promise<number> {
  const unique = [...new Set(externalIds)];
  if (unique.length === 0) return 0;
  const [row] = await queryRows<{ n: number }>(
    tx,
    sql`WITH created AS (
          INSERT INTO members (external_id) SELECT unnest(${pgArray(unique)}::text[]) ORDER BY 1
          ON CONFLICT (external_id) DO NOTHING RETURNING id),
        balances AS (INSERT INTO point_balances (member_id) SELECT id FROM created RETURNING 1)
        SELECT count(*)::int AS n FROM balances`,
  );
  return Number(row?.n ?? 0);
}

/** Members of these external ids with their cached balances, unlocked (a dry run's read). */
export async function membersWithBalances(ex: Executor, externalIds: readonly string[]): Promise<Map<string, { id: number; balance: number }>> {
  const unique = [...new Set(externalIds)];
  if (unique.length === 0) return new Map();
  const rows = await queryRows<{ id: string | number; external_id: string; available_points: string | number }>(
    ex,
    sql`SELECT m.id, m.external_id, b.available_points FROM members m JOIN point_balances b ON b.member_id = m.id
        WHERE m.external_id = ANY(${pgArray(unique)}::text[])`,
  );
  return new Map(rows.map((r) => [r.external_id, { id: Number(r.id), balance: Number(r.available_points) }]));
}
