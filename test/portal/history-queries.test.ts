import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { historyFilterSchema, listMemberHistory } from "@/lib/portal/history-queries";
import { redeemPoints } from "@/lib/loyalty/redemption/redeem-points";
import { createTestDatabase, type TestDatabase } from "../support/test-database";
import { createMemberUser, earn } from "./fixtures";

describe("listMemberHistory", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  it("pages one member's rows newest first, filters by type, and never shows another member's", async () => {
    const me = await createMemberUser(t.db);
    const someoneElse = await createMemberUser(t.db);
    for (let i = 0; i < 5; i++) await earn(t.db, me.externalId, 10_00);
    await earn(t.db, someoneElse.externalId, 99_00);
    await redeemPoints(t.db, { memberId: me.memberId!, points: 15, referenceId: "h-1" }, { actor: "test" });

    const first = await listMemberHistory(t.db, me.memberId!, {}, 4);
    expect(first.items).toHaveLength(4);
    expect(first.items[0]).toMatchObject({ type: "redeem", amount: -15 });
    const second = await listMemberHistory(t.db, me.memberId!, { cursor: first.nextCursor! }, 4);
    expect(second.items).toHaveLength(2);
    expect(second.nextCursor).toBeNull();
    const all = [...first.items, ...second.items];
    expect(new Set(all.map((r) => r.id)).size).toBe(6);
    expect(all.every((r, i) => i === 0 || r.id < all[i - 1]!.id)).toBe(true);
    expect(all.some((r) => r.amount === 99)).toBe(false);

    const earns = await listMemberHistory(t.db, me.memberId!, { type: "earn" });
    expect(earns.items.map((r) => r.type)).toEqual(Array(5).fill("earn"));
    expect(earns.items.every((r) => r.expiresAt instanceof Date)).toBe(true);
  });

  it("filters by UTC day range inclusively and drops malformed query values", async () => {
    const me = await createMemberUser(t.db);
    await earn(t.db, me.externalId, 10_00);
    const today = new Date().toISOString().slice(0, 10);
    expect((await listMemberHistory(t.db, me.memberId!, { from: today, to: today })).items).toHaveLength(1);
    expect((await listMemberHistory(t.db, me.memberId!, { to: "2000-01-01" })).items).toHaveLength(0);
    expect(historyFilterSchema.parse({ type: "steal", from: "yesterday", to: "", cursor: "-3" })).toEqual({
      type: undefined,
      from: undefined,
      to: undefined,
      cursor: undefined,
    });
  });
});
