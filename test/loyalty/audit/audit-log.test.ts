import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import { pgErrorOf } from "@/db/errors";
import { members } from "@/db/schema";
import { listAudit, listMemberAudit, writeAudit } from "@/lib/loyalty/audit/audit-log";
import { createTestDatabase, type TestDatabase } from "../../support/test-database";
import { admin, marketing, member, support } from "../support/actors";
import { loyaltyErrorOf } from "../support/errors";

describe("audit log", () => {
  let t: TestDatabase;
  let memberId: number;
  beforeAll(async () => {
    t = await createTestDatabase();
    [{ id: memberId }] = (await t.db.insert(members).values({ externalId: "m-audit" }).returning({ id: members.id })) as [{ id: number }];
    for (let i = 0; i < 7; i++) {
      await writeAudit(t.db, {
        actor: i % 2 ? support : marketing,
        action: i % 2 ? "points.adjust" : "campaign.create",
        targetType: i % 2 ? "member" : "campaign",
        targetId: String(i),
        memberId: i % 2 ? memberId : null,
        reason: `entry ${i}`,
        before: { n: i },
        after: { n: i + 1 },
      });
    }
  });
  afterAll(() => t.drop());

  it("cannot be changed or deleted by anyone, even with raw SQL", async () => {
    for (const statement of [
      sql`UPDATE audit_log SET reason = 'rewritten'`,
      sql`DELETE FROM audit_log WHERE id = (SELECT min(id) FROM audit_log)`,
      sql`TRUNCATE audit_log`,
    ]) {
      const error = await t.db.execute(statement).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(pgErrorOf(error)?.message).toMatch(/append-only/);
    }
    const rows = await queryRows<{ n: number; rewritten: number }>(
      t.db,
      sql`SELECT count(*)::int AS n, count(*) FILTER (WHERE reason = 'rewritten')::int AS rewritten FROM audit_log`,
    );
    expect(rows[0]).toEqual({ n: 7, rewritten: 0 });
  });

  it("filters by actor, action and member, newest first, with keyset pages", async () => {
    const bySupport = await listAudit(t.db, admin, { actor: "user:u-support" });
    expect(bySupport.items.map((e) => e.targetId)).toEqual(["5", "3", "1"]);
    const created = await listAudit(t.db, admin, { action: "campaign.create" }, { limit: 2 });
    expect(created.items.map((e) => e.targetId)).toEqual(["6", "4"]);
    const rest = await listAudit(t.db, admin, { action: "campaign.create" }, { limit: 2, cursor: created.nextCursor });
    expect(rest.items.map((e) => e.targetId)).toEqual(["2", "0"]);
    expect(rest.nextCursor).toBeNull();
    const forMember = await listMemberAudit(t.db, support, memberId);
    expect(forMember.items).toHaveLength(3);
  });

  it("filters by date range", async () => {
    const future = await listAudit(t.db, admin, { from: new Date(Date.now() + 3_600_000) });
    expect(future.items).toHaveLength(0);
    const all = await listAudit(t.db, admin, { from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + 3_600_000) });
    expect(all.items).toHaveLength(7);
  });

  it("is readable by admins only; a member's entries by support and admins", async () => {
    for (const actor of [support, marketing, member]) {
      expect((await loyaltyErrorOf(listAudit(t.db, actor, {}))).code).toBe("forbidden");
    }
    for (const actor of [marketing, member]) {
      expect((await loyaltyErrorOf(listMemberAudit(t.db, actor, memberId))).code).toBe("forbidden");
    }
    await expect(listMemberAudit(t.db, admin, memberId)).resolves.toBeDefined();
  });
});
