import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor, listTransactions } from "@/db/queries/transactions";
import { recordEvents } from "@/lib/loyalty/accrual/record-events";
import { isLoyaltyError } from "@/lib/loyalty/errors";
import { ensureMember, getMemberSummary } from "@/lib/loyalty/members/ensure-member";
import { redeemPoints } from "@/lib/loyalty/redemption/redeem-points";
import { createTestDatabase, type TestDatabase } from "../../support/test-database";
import { ACTOR } from "../support/ledger";

const NOW = new Date("2026-06-15T12:00:00.000Z");

describe("members and history", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  it("creates a member once, even when asked concurrently", async () => {
    const pool = t.connect(8);
    const results = await Promise.all(Array.from({ length: 16 }, () => ensureMember(pool.db, { externalId: "mem-1", email: "a@example.com" })));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.member.id)).size).toBe(1);
    const again = await ensureMember(t.db, { externalId: "mem-1", email: "other@example.com" });
    expect(again).toMatchObject({ created: false, member: { email: "a@example.com" } });
  });

  it("summarises balance, totals and points expiring within 30 days, without past-due points", async () => {
    await ensureMember(t.db, { externalId: "mem-2", name: "Ada" });
    await recordEvents(
      t.db,
      [
        { type: "purchase", memberExternalId: "mem-2", referenceId: "m2-past", amountCents: 1_000, occurredAt: "2025-06-10T00:00:00Z" },
        { type: "purchase", memberExternalId: "mem-2", referenceId: "m2-a", amountCents: 2_000, occurredAt: "2025-06-20T08:00:00Z" },
        { type: "purchase", memberExternalId: "mem-2", referenceId: "m2-b", amountCents: 3_000, occurredAt: "2025-06-20T18:00:00Z" },
        { type: "purchase", memberExternalId: "mem-2", referenceId: "m2-c", amountCents: 4_000, occurredAt: "2025-07-01T00:00:00Z" },
        { type: "purchase", memberExternalId: "mem-2", referenceId: "m2-later", amountCents: 5_000, occurredAt: "2026-01-01T00:00:00Z" },
      ],
      { ...ACTOR, now: NOW },
    );
    const summary = await getMemberSummary(t.db, "mem-2", NOW);
    expect(summary).toMatchObject({ externalId: "mem-2", name: "Ada", tier: "bronze", availablePoints: 140, totalEarned: 150, totalRedeemed: 0 });
    expect(summary.expiringSoon).toEqual([
      { points: 50, expiresAt: new Date("2026-06-20T08:00:00.000Z") },
      { points: 40, expiresAt: new Date("2026-07-01T00:00:00.000Z") },
    ]);
    const missing = await getMemberSummary(t.db, "nobody", NOW).catch((e: unknown) => e);
    expect(isLoyaltyError(missing) && missing.code).toBe("member_not_found");
  });

  it("pages a member's history newest first with an opaque keyset cursor", async () => {
    const { member } = await ensureMember(t.db, { externalId: "mem-3" });
    await recordEvents(
      t.db,
      Array.from({ length: 25 }, (_, i) => ({ type: "purchase" as const, memberExternalId: "mem-3", referenceId: `m3-${i}`, amountCents: 100 * (i + 1) })),
      { ...ACTOR, now: NOW },
    );
    await redeemPoints(t.db, { memberId: member.id, points: 5, referenceId: "m3-r" }, { ...ACTOR, now: NOW });
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof listTransactions>> = await listTransactions(t.db, { memberId: member.id, limit: 10, cursor });
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(26);
    expect([...seen].sort((a, b) => b - a)).toEqual(seen);
    const redeems = await listTransactions(t.db, { memberId: member.id, types: ["redeem"] });
    expect(redeems.items.map((i) => i.amount)).toEqual([-5]);
    expect(decodeCursor(encodeCursor(123))).toBe(123);
    for (const bad of ["", "abc", encodeCursor(-1), Buffer.from("1e3").toString("base64url")]) {
      expect(() => decodeCursor(bad)).toThrow();
    }
    const limited = await listTransactions(t.db, { memberId: member.id, limit: 1000 });
    expect(limited.items).toHaveLength(26);
  });
});
