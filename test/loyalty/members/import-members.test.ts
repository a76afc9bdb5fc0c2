import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asc, eq } from "drizzle-orm";
import { auditLog, members, pointBalances } from "@/db/schema";
import { importMembersCsv } from "@/lib/loyalty/members/import-members";
import { ensureMember } from "@/lib/loyalty/members/ensure-member";
import { createTestDatabase, type TestDatabase } from "../../support/test-database";

const csv = (text: string) => Readable.from([text]);

describe("importMembersCsv", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  it("creates new members with balances, keeps existing ones, and reports bad and repeated rows by line", async () => {
    await ensureMember(t.db, { externalId: "c-2", email: "keep@example.test", name: "Kept" });
    const file = [
      "externalId,email,name", // 1
      "c-1,one@example.test,One", // 2
      "c-2,changed@example.test,Changed", // 3: exists, left as it was
      "c-3,not-an-email,Three", // 4: invalid email
      ",nobody@example.test,Nobody", // 5: no externalId
      "c-1,again@example.test,Again", // 6: repeats line 2
      "", // 7: blank, skipped
      'c-4,,"Four, the ""quoted"""', // 8: no email, quoted name
      "c 5,five@example.test,Five", // 9: space in externalId
      'c-6,"unterminated,Six', // 10: broken quote, reported
    ].join("\n");
    const report = await importMembersCsv(t.db, csv(file), { actor: "cli", source: "members.csv", batchSize: 2 });

    expect(report.created).toBe(2);
    expect(report.existing).toBe(1);
    expect(report.duplicates).toEqual([{ line: 6, field: "externalId", message: "repeats line 2" }]);
    expect(report.invalid.map((p) => [p.line, p.field])).toEqual([
      [4, "email"],
      [5, "externalId"],
      [9, "externalId"],
      [10, undefined],
    ]);

    const rows = await t.db.select().from(members).orderBy(asc(members.externalId));
    expect(rows.map((m) => [m.externalId, m.email, m.name])).toEqual([
      ["c-1", "one@example.test", "One"],
      ["c-2", "keep@example.test", "Kept"],
      ["c-4", null, 'Four, the "quoted"'],
    ]);
    for (const m of rows) {
      const [balance] = await t.db.select().from(pointBalances).where(eq(pointBalances.memberId, m.id));
      expect(balance?.availablePoints).toBe(0);
    }
    const audit = await t.db.select().from(auditLog).where(eq(auditLog.action, "members.import"));
    expect(audit.reduce((n, a) => n + (a.after as { created: number }).created, 0)).toBe(2);
  });

  it("is safe to run again: everything already exists", async () => {
    const report = await importMembersCsv(t.db, csv("external_id,name\nc-1,One\nc-4,Four\n"), {
      actor: "cli",
      source: "again.csv",
    });
    expect(report).toEqual({ created: 0, existing: 2, duplicates: [], invalid: [] });
  });

  it("refuses a file with an unknown column", async () => {
    await expect(importMembersCsv(t.db, csv("id,email\n1,a@b.c\n"), { actor: "cli", source: "x.csv" })).rejects.toThrow(/Unknown column "id"/);
  });

  it("refuses the reserved erased: prefix, line by line", async () => {
    const report = await importMembersCsv(t.db, csv(["externalId,email,name", "erased:1,,", "ERASED:x,,", "c-erased-ok,,"].join("\n")), {
      actor: "cli",
      source: "m.csv",
    });
    expect(report.invalid).toEqual([
      { line: 2, field: "externalId", message: "externalId must not start with erased: (reserved for erased members)" },
      { line: 3, field: "externalId", message: "externalId must not start with erased: (reserved for erased members)" },
    ]);
    expect(report.created).toBe(1);
    const reserved = await t.db.select().from(members).where(eq(members.externalId, "erased:1"));
    expect(reserved).toEqual([]);
  });
});
