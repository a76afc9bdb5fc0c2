import { describe, expect, it } from "vitest";
import { listTransactions } from "@/db/queries/transactions";
import { recordEvents } from "@/lib/loyalty/accrual/record-events";
import { adjustPoints, reverseTransaction } from "@/lib/loyalty/adjustments/adjust-points";
import { expirePoints } from "@/lib/loyalty/jobs/expire-points";
import { ensureMember, getMemberSummary } from "@/lib/loyalty/members/ensure-member";
import { redeemPoints } from "@/lib/loyalty/redemption/redeem-points";
import { verifyLedger } from "@/lib/loyalty/jobs/verify-ledger";
import { useEmbeddedDatabase } from "../../support/embedded-database";

// The app's default database is embedded PGlite (PostgreSQL 18, other driver): the ledger's raw SQL must run there too.
describe("the ledger on embedded PGlite", () => {
  const embedded = useEmbeddedDatabase("ledger-pglite-");

  it("earns, refunds, redeems, adjusts, reverses, expires and reconciles", async () => {
    const { db } = embedded();
    const ctx = { actor: "test:pglite", now: new Date("2026-06-15T12:00:00Z") };
    const { member } = await ensureMember(db, { externalId: "pg-1" });
    const outcomes = await recordEvents(
      db,
      [
        { type: "purchase", memberExternalId: "pg-1", referenceId: "pg-o1", amountCents: 10_000, occurredAt: "2025-06-01T00:00:00Z" },
        { type: "purchase", memberExternalId: "pg-1", referenceId: "pg-o2", amountCents: 20_000 },
        { type: "refund", memberExternalId: "pg-1", referenceId: "pg-rf", originalReferenceId: "pg-o2", amountCents: 5_000 },
        { type: "login", memberExternalId: "pg-1", referenceId: "pg-l1" },
        { type: "purchase", memberExternalId: "pg-1", referenceId: "pg-o1", amountCents: 10_000, occurredAt: "2025-06-01T00:00:00Z" },
      ],
      ctx,
    );
    expect(outcomes.map((o) => o.status)).toEqual([201, 201, 201, 201, 200]);
    const redeemed = await redeemPoints(db, { memberId: member.id, points: 100, referenceId: "pg-r" }, ctx);
    expect(redeemed.availablePoints).toBe(60); // 100 + 200 - 50 + 10 - 100 - 100 past due
    const adjusted = await adjustPoints(db, { memberId: member.id, points: 5, reason: "test", referenceId: "pg-a" }, ctx);
    await reverseTransaction(db, { transactionId: adjusted.transactionId, reason: "undo" }, ctx);
    expect(await expirePoints(db, { now: ctx.now })).toMatchObject({ lotsExpired: 1, pointsExpired: 100 });
    expect(await getMemberSummary(db, "pg-1", ctx.now)).toMatchObject({ availablePoints: 60, totalEarned: 260, totalRedeemed: 100 });
    expect((await listTransactions(db, { memberId: member.id, limit: 3 })).nextCursor).not.toBeNull();
    expect(await verifyLedger(db)).toEqual({ membersChecked: 1, discrepancies: [] });
  });
});
