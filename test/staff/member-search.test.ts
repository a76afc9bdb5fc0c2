import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import { members } from "@/db/schema";
import { prefixSearchQuery, prefixUpperBound, searchMemberIndex } from "@/lib/loyalty/member-search";
import { createTestDatabase, type TestDatabase } from "../support/test-database";

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

  it.each(["email", "name"] as const)("answers a %s prefix from its index, even with a generic plan", async (field) => {
    const index = field === "email" ? "members_email_lower_idx" : "members_name_lower_idx";
    const plan = await t.db.transaction(async (tx) => {
      await tx.execute(sql`SET LOCAL enable_seqscan = off`);
      await tx.execute(sql`SET LOCAL plan_cache_mode = force_generic_plan`);
      const query = prefixSearchQuery(tx, field, "ali", 20).toSQL();
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
