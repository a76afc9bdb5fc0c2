import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { userRoles, users } from "@/db/schema";
import { hasAnyRole, loadSessionUser } from "@/lib/auth/session-user";
import { createTestDatabase, type TestDatabase } from "../support/test-database";

describe("loadSessionUser", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  it("reads roles from the database on every call, so a removed role stops working at once", async () => {
    const [user] = await t.db.insert(users).values({ email: "staff@example.com", name: "Staff" }).returning();
    await t.db.insert(userRoles).values([
      { userId: user!.id, role: "support" },
      { userId: user!.id, role: "admin" },
    ]);
    const before = await loadSessionUser(t.db, user!.id);
    expect(before?.roles.sort()).toEqual(["admin", "support"]);
    expect(before?.memberId).toBeNull();
    expect(hasAnyRole(before!, ["admin"])).toBe(true);

    await t.db.delete(userRoles).where(and(eq(userRoles.userId, user!.id), eq(userRoles.role, "admin")));
    // The session issued before the removal ends (session_version, bumped by a trigger)…
    expect(await loadSessionUser(t.db, user!.id, 0)).toBeNull();
    // …and a new one has only the roles left.
    const after = await loadSessionUser(t.db, user!.id, 1);
    expect(after?.roles).toEqual(["support"]);
    expect(hasAnyRole(after!, ["admin"])).toBe(false);
  });

  it("gives a user without roles an empty list, and an unknown id null", async () => {
    const [user] = await t.db.insert(users).values({ email: "plain@example.com" }).returning();
    expect((await loadSessionUser(t.db, user!.id))?.roles).toEqual([]);
    expect(await loadSessionUser(t.db, "00000000-0000-0000-0000-000000000000")).toBeNull();
  });
});
