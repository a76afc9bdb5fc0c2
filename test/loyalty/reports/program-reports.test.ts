import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "csv-parse/sync";
import { recordEvent } from "@/lib/loyalty/accrual/record-events";
import { adjustPoints } from "@/lib/loyalty/adjustments/adjust-points";
import { csvStream } from "@/lib/loyalty/reports/csv-export";
import { expirePoints } from "@/lib/loyalty/jobs/expire-points";
import { ensureMember } from "@/lib/loyalty/members/ensure-member";
import { redeemPoints } from "@/lib/loyalty/redemption/redeem-points";
import { campaignReport, flowTotals, liabilityAt, membersPerTier, pointFlows } from "@/lib/loyalty/reports/program-reports";
import { statementLines, statementMember } from "@/lib/loyalty/reports/member-statements";
import { createTestDatabase, type TestDatabase } from "../../support/test-database";
import { admin, marketing, support } from "../support/actors";
import { loyaltyErrorOf } from "../support/errors";

const pause = () => new Promise((resolve) => setTimeout(resolve, 20));

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

describe("finance reports", () => {
  let t: TestDatabase;
  let memberId: number;
  const marks: Record<string, Date> = {};

  beforeAll(async () => {
    t = await createTestDatabase();
    memberId = (await ensureMember(t.db, { externalId: "fin-1" })).member.id;
    await ensureMember(t.db, { externalId: "fin-2" });
    marks.start = new Date();
    await pause();
    await recordEvent(t.db, { type: "purchase", memberExternalId: "fin-1", referenceId: "o-1", amountCents: 10_000 }, { actor: "api:test" });
    await pause();
    marks.afterEarn = new Date();
    await pause();
    await redeemPoints(t.db, { memberId, points: 30, referenceId: "r-1" }, { actor: "api:test" });
    await adjustPoints(t.db, { memberId, points: 20, reason: '=HYPERLINK("x")', referenceId: "adj-1" }, { actor: "user:u-support" });
    await pause();
    marks.beforeExpiry = new Date();
    await pause();
    await expirePoints(t.db, { now: new Date(Date.now() + 400 * 86_400_000) });
  });
  afterAll(() => t.drop());

  it("sums earned, redeemed, expired and adjusted per day, with the breakage rate", async () => {
    const from = new Date(Date.now() - 86_400_000);
    const to = new Date(Date.now() + 86_400_000);
    const rows = await pointFlows(t.db, admin, { granularity: "day", from, to });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ earned: 100, redeemed: 30, adjusted: 20, expired: 90, net: 0 });
    expect(flowTotals(rows).breakageRate).toBeCloseTo(0.9);
    const monthly = await pointFlows(t.db, admin, { granularity: "month", from, to });
    expect(monthly[0]!.period).toMatch(/^\d{4}-\d{2}-01$/);
    expect((await loyaltyErrorOf(pointFlows(t.db, admin, { from: to, to: from }))).code).toBe("validation_failed");
  });

  it("gives the outstanding liability now and at past instants from the ledger", async () => {
    expect((await liabilityAt(t.db, admin, marks.start)).points).toBe(0);
    expect((await liabilityAt(t.db, admin, marks.afterEarn)).points).toBe(100);
    expect((await liabilityAt(t.db, admin, marks.beforeExpiry)).points).toBe(90);
    expect((await liabilityAt(t.db, admin)).points).toBe(0);
  });

  it("counts members per tier and lists campaign results", async () => {
    expect(await membersPerTier(t.db, admin)).toEqual({
      asOf: null,
      tiers: [
        { tier: "bronze", members: 2 },
        { tier: "silver", members: 0 },
        { tier: "gold", members: 0 },
      ],
    });
    expect(await campaignReport(t.db, admin)).toEqual([]);
  });

  it("is for admins only", async () => {
    const range = { from: new Date(0), to: new Date() };
    for (const actor of [support, marketing]) {
      expect((await loyaltyErrorOf(pointFlows(t.db, actor, range))).code).toBe("forbidden");
      expect((await loyaltyErrorOf(liabilityAt(t.db, actor))).code).toBe("forbidden");
      expect((await loyaltyErrorOf(membersPerTier(t.db, actor))).code).toBe("forbidden");
      expect((await loyaltyErrorOf(campaignReport(t.db, actor))).code).toBe("forbidden");
    }
    expect((await loyaltyErrorOf(statementMember(t.db, marketing, "fin-1"))).code).toBe("forbidden");
  });

  it("exports a member's statement as CSV with a running balance, formulas neutralised", async () => {
    const member = await statementMember(t.db, support, "fin-1");
    const text = await readAll(
      csvStream(
        [
          { key: "type", header: "Type" },
          { key: "description", header: "Description" },
          { key: "points", header: "Points" },
          { key: "balance", header: "Balance" },
        ],
        statementLines(t.db, member.id),
      ),
    );
    const records = parse(text, { columns: true }) as Record<string, string>[];
    expect(records.map((r) => [r.Type, r.Points, r.Balance])).toEqual([
      ["earn", "100", "100"],
      ["redeem", "-30", "70"],
      ["adjust", "20", "90"],
      ["expire", "-70", "20"],
      ["expire", "-20", "0"],
    ]);
    expect(records[2]!.Description).toBe(`'=HYPERLINK("x")`);
    expect((await loyaltyErrorOf(statementMember(t.db, support, "nobody"))).code).toBe("member_not_found");
  });

  it("streams an empty table as its header alone, and large ones in chunks", async () => {
    expect(await readAll(csvStream([{ key: "a", header: "A" }], []))).toBe("A\n");
    const many = Array.from({ length: 1234 }, (_, i) => ({ a: i }));
    const lines = (await readAll(csvStream([{ key: "a", header: "A" }], many))).trim().split("\n");
    expect(lines).toHaveLength(1235);
    expect(lines[1234]).toBe("1233");
  });
});
