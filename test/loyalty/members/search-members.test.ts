import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import { members } from "@/db/schema";
import { isLoyaltyError } from "@/lib/loyalty/errors";
import {
  decodeSearchCursor,
  encodeSearchCursor,
  prefixSearchQuery,
  prefixUpperBound,
  searchMemberIndex,
  searchMemberPage,
} from "@/lib/loyalty/members/search-members";
import { createTestDatabase, type TestDatabase } from "../../support/test-database";

describe("member search", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    await t.db.insert(members).values([
      { externalId: "cust-1", email: "Alice.Martin@example.com", name: "Alice Martin" },
      { externalId: "cust-2", email: "alina@example.com", name: "Alina Zhou" },
      { externalId: "cust-3", email: "bob@example.com", name: "Bob Alistair" },
      { externalId: "alice", email: "zed@example.com", name: "Zed" },
      { externalId: "cust-5", email: "a_b%c@example.com", name: "Percent" },
    ]);
  });
  afterAll(() => t.drop());

  const ids = async (q: string) => (await searchMemberIndex(t.db, q)).map((h) => h.externalId);

  it("finds by exact external id first, then by email or name prefix, case-insensitively", async () => {
    expect(await ids("ALI")).toEqual(["cust-1", "cust-2"]);
    expect(await ids("alice")).toEqual(["alice", "cust-1"]);
    expect(await ids("bob alis")).toEqual(["cust-3"]);
    expect(await ids("alina@")).toEqual(["cust-2"]);
    expect(await ids("cust-")).toEqual([]);
    expect(await ids("   ")).toEqual([]);
  });

  it("treats LIKE wildcards in the query literally", async () => {
    expect(await ids("a_b%")).toEqual(["cust-5"]);
    expect(await ids("a%")).toEqual([]);
  });

  it("computes the prefix's upper bound in code point order", () => {
    expect(prefixUpperBound("abc")).toBe("abd");
    expect(prefixUpperBound("a\u{10FFFF}")).toBe("b");
    expect(prefixUpperBound("")).toBeNull();
  });

  it("pages past the first 20 matches: every match once, in order, exact id first, then emails, then names", async () => {
    // 23 members matched by email, 25 by name only (5 of them share one name), 3 by both (listed under email), one by external id.
    const rows = [
      { externalId: "pager", email: "nobody@example.com", name: "Nobody" },
      ...Array.from({ length: 23 }, (_, i) => ({ externalId: `pe-${i}`, email: `pager.${String(i).padStart(2, "0")}@example.com`, name: `Someone ${i}` })),
      ...Array.from({ length: 20 }, (_, i) => ({ externalId: `pn-${i}`, email: null, name: `Pager ${String(i).padStart(2, "0")}` })),
      ...Array.from({ length: 5 }, (_, i) => ({ externalId: `pt-${i}`, email: `twin${i}@example.com`, name: "Pager Twin" })),
      ...Array.from({ length: 3 }, (_, i) => ({ externalId: `pb-${i}`, email: `pager.both${i}@example.com`, name: `Pager Both ${i}` })),
    ];
    await t.db.insert(members).values(rows);
    const pages: Awaited<ReturnType<typeof searchMemberPage>>[] = [];
    let cursor: string | null = null;
    do {
      const page = await searchMemberPage(t.db, "pager", { cursor });
      pages.push(page);
      cursor = page.nextCursor;
    } while (cursor && pages.length < 10);
    expect(pages.map((p) => p.items.length)).toEqual([20, 20, 12]);
    expect(pages.at(-1)!.nextCursor).toBeNull();
    const all = pages.flatMap((p) => p.items);
    const ids = all.map((h) => h.externalId);
    expect(new Set(ids).size).toBe(52);
    expect(ids[0]).toBe("pager");
    expect(all.filter((h) => h.matchedOn === "email").map((h) => h.externalId)).toEqual([
      ...Array.from({ length: 23 }, (_, i) => `pe-${i}`),
      ...Array.from({ length: 3 }, (_, i) => `pb-${i}`),
    ]);
    // Case-insensitive prefixes: the same walk, without the exact external id.
    expect((await searchMemberPage(t.db, "PAGER", { limit: 100 })).items.map((h) => h.externalId)).toEqual(ids.slice(1));
    const twinIds = rows.filter((r) => r.externalId.startsWith("pt-")).map((r) => r.externalId);
    expect(all.filter((h) => h.matchedOn === "name").map((h) => h.externalId)).toEqual([...Array.from({ length: 20 }, (_, i) => `pn-${i}`), ...twinIds]);
    // A page of 1 that ends on the exact match, and smaller pages, walk the same list.
    const small: string[] = [];
    cursor = null;
    do {
      const page = await searchMemberPage(t.db, "pager", { cursor, limit: 1 });
      small.push(...page.items.map((h) => h.externalId));
      cursor = page.nextCursor;
    } while (cursor && small.length < 100);
    expect(small).toEqual(ids);
    expect(await searchMemberIndex(t.db, "pager")).toEqual(pages[0]!.items);
  });

  it("refuses a cursor it did not hand out", async () => {
    for (const cursor of ["garbage!", Buffer.from("[1,2,3]").toString("base64url"), encodeSearchCursor({ section: "e", key: "a\u0000b", id: 1 })]) {
      const refused = await searchMemberPage(t.db, "pager", { cursor }).catch((e: unknown) => e);
      expect(isLoyaltyError(refused) && refused.code).toBe("validation_failed");
    }
    expect(decodeSearchCursor(encodeSearchCursor({ section: "n", key: "pager twin", id: 7 }))).toEqual({ section: "n", key: "pager twin", id: 7 });
  });

  it.each(["email", "name"] as const)("answers a %s prefix from its index, even with a generic plan", async (field) => {
    const index = field === "email" ? "members_email_lower_idx" : "members_name_lower_idx";
    const plan = await t.db.transaction(async (tx) => {
      await tx.execute(sql`SET LOCAL enable_seqscan = off`);
      await tx.execute(sql`SET LOCAL plan_cache_mode = force_generic_plan`);
      const query = prefixSearchQuery(tx, field, "ali", 20, { after: { key: "alice", id: 3 } }).toSQL();
      const name = `search_${field}`;
      await tx.execute(sql.raw(`PREPARE ${name} AS ${query.sql}`));
      const args = query.params.map((p) => (typeof p === "number" ? String(p) : `'${String(p).replace(/'/g, "''")}'`));
      const rows = await queryRows<Record<string, unknown>>(tx, sql.raw(`EXPLAIN (FORMAT JSON) EXECUTE ${name}(${args.join(", ")})`));
      await tx.execute(sql.raw(`DEALLOCATE ${name}`));
      return JSON.stringify(rows[0]);
    });
    expect(plan).toContain(index);
    expect(plan).toMatch(/\$1/);
  });
});
