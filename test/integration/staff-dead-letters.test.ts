import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { navLinksFor } from "@/app/(staff)/staff/nav-links";
import { deadLetterEvents } from "@/db/schema";
import { listDeadLettersForStaff } from "@/lib/stream/staff-dead-letters";
import { createTestDatabase, type TestDatabase } from "../support/test-database";
import { admin, marketing, member, nobody, support } from "../loyalty/support/actors";
import { loyaltyErrorOf } from "../loyalty/support/errors";

describe("dead letters in the staff console", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    await t.db.insert(deadLetterEvents).values(
      Array.from({ length: 5 }, (_, i) => ({
        streamId: `loyalty:events:17000000000${i}-0`,
        payload: { type: "purchase", memberExternalId: `ghost-${i}`, referenceId: `o-${i}`, amountCents: 100 },
        reason: i % 2 ? "member_not_found: No member ghost" : "invalid payload: amountCents must be positive",
      })),
    );
  });
  afterAll(() => t.drop());

  it("pages admins through them newest first, with the reason and payload", async () => {
    const first = await listDeadLettersForStaff(t.db, admin, { limit: 2 });
    expect(first.items.map((l) => l.streamId)).toEqual(["loyalty:events:170000000004-0", "loyalty:events:170000000003-0"]);
    expect(first.items[1]).toMatchObject({ reason: "member_not_found: No member ghost", payload: { memberExternalId: "ghost-3" } });
    expect(first.items[0]!.createdAt).toBeInstanceOf(Date);
    const second = await listDeadLettersForStaff(t.db, admin, { limit: 2, cursor: first.nextCursor });
    const third = await listDeadLettersForStaff(t.db, admin, { limit: 2, cursor: second.nextCursor });
    expect([...second.items, ...third.items].map((l) => l.payload)).toMatchObject([{ referenceId: "o-2" }, { referenceId: "o-1" }, { referenceId: "o-0" }]);
    expect(third.nextCursor).toBeNull();
    expect((await listDeadLettersForStaff(t.db, admin)).items).toHaveLength(5);
  });

  it.each([
    ["marketing", marketing],
    ["support", support],
    ["a member", member],
    ["a user without roles", nobody],
  ])("refuses %s", async (_name, actor) => {
    expect((await loyaltyErrorOf(listDeadLettersForStaff(t.db, actor))).code).toBe("forbidden");
  });

  it("refuses a cursor it never handed out as bad input, not a server error", async () => {
    expect((await loyaltyErrorOf(listDeadLettersForStaff(t.db, admin, { cursor: "bm90LWFuLWlk" }))).code).toBe("validation_failed");
  });

  it("links the page for admins only", () => {
    expect(navLinksFor(["admin"]).map((l) => l.href)).toContain("/staff/dead-letters");
    for (const role of ["marketing", "support", "member"] as const) {
      expect(navLinksFor([role]).map((l) => l.href)).not.toContain("/staff/dead-letters");
    }
  });
});
