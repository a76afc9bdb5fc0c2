import { eq, sql, type SQL } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { members, pointBalances } from "@/db/schema";

export const SEARCH_LIMIT = 20;

/** The smallest string greater than every string that starts with `prefix`, in byte (code point) order. */
export function prefixUpperBound(prefix: string): string | null {
  const points = [...prefix];
  while (points.length > 0) {
    const last = points.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) {
      const next = last + 1 >= 0xd800 && last + 1 <= 0xdfff ? 0xe000 : last + 1;
      return points.join("") + String.fromCodePoint(next);
    }
  }
  return null;
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * `lower(column)` starts with `prefix`, written so that the text_pattern_ops expression indexes
 * (members_email_lower_idx, members_name_lower_idx) answer it even under a generic prepared-statement
 * plan, where a parameterised LIKE alone cannot be turned into an index range: the explicit
 * ~>=~ / ~<~ bounds can.
 */
export function lowerPrefixCondition(column: SQL, prefix: string): SQL {
  const lowered = prefix.toLowerCase();
  const upper = prefixUpperBound(lowered);
  const like = sql`lower(${column}) LIKE ${`${escapeLike(lowered)}%`}`;
  const lowerBound = sql`lower(${column}) ~>=~ ${lowered}`;
  return upper === null ? sql`${lowerBound} AND ${like}` : sql`${lowerBound} AND lower(${column}) ~<~ ${upper} AND ${like}`;
}

export interface MemberHit {
  id: number;
  externalId: string;
  email: string | null;
  name: string | null;
  tier: string;
  availablePoints: number;
  matchedOn: "externalId" | "email" | "name";
}

const hitColumns = {
  id: members.id,
  externalId: members.externalId,
  email: members.email,
  name: members.name,
  tier: members.tier,
  availablePoints: sql<number>`coalesce(${pointBalances.availablePoints}, 0)`.mapWith(Number),
};

/** The prefix query on one indexed column, in index order, stopping at `limit` rows. */
export function prefixSearchQuery(ex: Executor, field: "email" | "name", prefix: string, limit: number) {
  const column = field === "email" ? sql`${members.email}` : sql`${members.name}`;
  return ex
    .select(hitColumns)
    .from(members)
    .leftJoin(pointBalances, eq(pointBalances.memberId, members.id))
    .where(lowerPrefixCondition(column, prefix))
    .orderBy(sql`lower(${column}) USING ~<~`)
    .limit(limit);
}

/**
 * Support's search box: an exact external id, and members whose email or name starts with the
 * query (case-insensitive). Each part is one index range scan bounded by the limit, so the cost does
 * not grow with the number of members.
 */
export async function searchMemberIndex(ex: Executor, query: string, limit = SEARCH_LIMIT): Promise<MemberHit[]> {
  const q = query.trim();
  if (q.length === 0) return [];
  const exact = await ex
    .select(hitColumns)
    .from(members)
    .leftJoin(pointBalances, eq(pointBalances.memberId, members.id))
    .where(eq(members.externalId, q))
    .limit(1);
  const byEmail = await prefixSearchQuery(ex, "email", q, limit);
  const byName = q.includes("@") ? [] : await prefixSearchQuery(ex, "name", q, limit);

  const seen = new Set<number>();
  const hits: MemberHit[] = [];
  for (const [rows, matchedOn] of [
    [exact, "externalId"],
    [byEmail, "email"],
    [byName, "name"],
  ] as const) {
    for (const row of rows) {
      if (seen.has(row.id) || hits.length >= limit) continue;
      seen.add(row.id);
      hits.push({ ...row, matchedOn });
    }
  }
  return hits;
}
