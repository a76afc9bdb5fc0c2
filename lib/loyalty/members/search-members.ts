import { eq, sql, type SQL } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { members, pointBalances } from "@/db/schema";
import { LoyaltyError } from "../errors";

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

/** Where a page ends: the section (exact id, email, name) and, for a prefix section, its sort key and id. */
type Section = "x" | "e" | "n";
interface SearchPosition {
  section: Section;
  key: string;
  id: number;
}

/** An opaque page link: base64url of [section, key, id]. */
export function encodeSearchCursor(position: SearchPosition): string {
  return Buffer.from(JSON.stringify([position.section, position.key, position.id])).toString("base64url");
}

/** The position of a cursor, or null when it is not one this module handed out (a hand-edited link). */
export function decodeSearchCursor(cursor: string): SearchPosition | null {
  if (!/^[A-Za-z0-9_-]{1,1400}$/.test(cursor)) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (!Array.isArray(value) || value.length !== 3) return null;
    const [section, key, id] = value as unknown[];
    if ((section !== "x" && section !== "e" && section !== "n") || typeof key !== "string" || key.length > 1000) return null;
    // PostgreSQL text holds no NUL, and no sort key has control characters.
    if (/[\u0000-\u001f\u007f]/.test(key)) return null;
    if (typeof id !== "number" || !Number.isSafeInteger(id) || id < 1) return null;
    return { section, key, id };
  } catch {
    return null;
  }
}

/**
 * The prefix query on one indexed column, in index order `(lower(column), id)`, stopping at `limit`
 * rows, from just after `after` (keyset: the key range starts at the cursor's key, so each page is
 * one index range scan however deep it is). `exclude` leaves out rows an earlier section listed.
 */
export function prefixSearchQuery(
  ex: Executor,
  field: "email" | "name",
  prefix: string,
  limit: number,
  options: { after?: { key: string; id: number }; exclude?: SQL } = {},
) {
  const column = field === "email" ? sql`${members.email}` : sql`${members.name}`;
  const conditions = [lowerPrefixCondition(column, prefix)];
  if (options.after) {
    const { key, id } = options.after;
    conditions.push(sql`lower(${column}) ~>=~ ${key} AND (lower(${column}) ~>~ ${key} OR ${members.id} > ${id})`);
  }
  if (options.exclude) conditions.push(options.exclude);
  return ex
    .select({ ...hitColumns, sortKey: sql<string>`lower(${column})` })
    .from(members)
    .leftJoin(pointBalances, eq(pointBalances.memberId, members.id))
    .where(sql.join(conditions, sql` AND `))
    .orderBy(sql`lower(${column}) USING ~<~`, members.id)
    .limit(limit);
}

export interface MemberSearchPage {
  items: MemberHit[];
  /** The next page's cursor; null on the last page. */
  nextCursor: string | null;
}

/**
 * Support's search box: an exact external id, then members whose email starts with the query, then
 * those whose name does (case-insensitive), each member once, `limit` a page. Keyset pages: the
 * cursor names the section and the (sort key, id) of the last row shown, and each section leaves
 * out the members an earlier one lists (the exact id; for names, an email with the prefix), so no
 * page needs the previous ones. Each page is at most one index range scan per section, bounded by
 * the limit, so the cost does not grow with the number of members or the page's depth.
 */
export async function searchMemberPage(ex: Executor, query: string, options: { cursor?: string | null; limit?: number } = {}): Promise<MemberSearchPage> {
  const limit = options.limit ?? SEARCH_LIMIT;
  const q = query.trim();
  if (q.length === 0) return { items: [], nextCursor: null };
  const position = options.cursor ? decodeSearchCursor(options.cursor) : null;
  if (options.cursor && !position) throw new LoyaltyError("validation_failed", "That page link is not valid", { field: "cursor" });
  const from = position?.section ?? "x";
  const rows: (MemberHit & { section: Section; sortKey: string })[] = [];
  const want = () => limit + 1 - rows.length;

  if (from === "x" && !position) {
    const exact = await ex
      .select(hitColumns)
      .from(members)
      .leftJoin(pointBalances, eq(pointBalances.memberId, members.id))
      .where(eq(members.externalId, q))
      .limit(1);
    rows.push(...exact.map((row) => ({ ...row, matchedOn: "externalId" as const, section: "x" as const, sortKey: "" })));
  }
  const notExact = sql`${members.externalId} <> ${q}`;
  if (want() > 0 && from !== "n") {
    const after = from === "e" ? position! : undefined;
    const byEmail = await prefixSearchQuery(ex, "email", q, want(), { after, exclude: notExact });
    rows.push(...byEmail.map((row) => ({ ...row, matchedOn: "email" as const, section: "e" as const })));
  }
  if (want() > 0 && !q.includes("@")) {
    const after = from === "n" ? position! : undefined;
    const emailListed = sql`(${members.email} IS NOT NULL AND ${lowerPrefixCondition(sql`${members.email}`, q)})`;
    const byName = await prefixSearchQuery(ex, "name", q, want(), { after, exclude: sql`${notExact} AND NOT ${emailListed}` });
    rows.push(...byName.map((row) => ({ ...row, matchedOn: "name" as const, section: "n" as const })));
  }

  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map((row) => ({
      id: row.id,
      externalId: row.externalId,
      email: row.email,
      name: row.name,
      tier: row.tier,
      availablePoints: row.availablePoints,
      matchedOn: row.matchedOn,
    })),
    nextCursor: rows.length > limit && last ? encodeSearchCursor({ section: last.section, key: last.sortKey, id: last.id }) : null,
  };
}

/** The first page of a search (see searchMemberPage). */
export async function searchMemberIndex(ex: Executor, query: string, limit = SEARCH_LIMIT): Promise<MemberHit[]> {
  return (await searchMemberPage(ex, query, { limit })).items;
}
