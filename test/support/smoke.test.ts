import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import { pgErrorOf } from "@/db/errors";
import { auditLog, members, tiers } from "@/db/schema";
import { createTestDatabase, type TestDatabase } from "./test-database";

describe("test database", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  it("is migrated with the default tiers", async () => {
    const rows = await t.db.select().from(tiers).orderBy(tiers.rank);
    expect(rows.map((r) => [r.code, r.minSpend12m])).toEqual([
      ["bronze", 0],
      ["silver", 50_000],
      ["gold", 200_000],
    ]);
  });

  it("refuses to update or delete the audit log", async () => {
    await t.db.insert(auditLog).values({ actor: "test", action: "probe", targetType: "x", targetId: "1" });
    for (const statement of [sql`UPDATE audit_log SET reason = 'x'`, sql`DELETE FROM audit_log`]) {
      const error = await t.db.execute(statement).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(pgErrorOf(error)?.message).toMatch(/append-only/);
    }
    const rows = await queryRows<{ n: number }>(t.db, sql`SELECT count(*)::int AS n FROM audit_log`);
    expect(rows[0]!.n).toBe(1);
  });

  it("keeps members' external ids unique", async () => {
    await t.db.insert(members).values({ externalId: "m-1" });
    await expect(t.db.insert(members).values({ externalId: "m-1" })).rejects.toThrow();
  });
});
