import { describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { pgErrorOf } from "@/db/errors";
import { adjustmentRequests, rewards } from "@/db/schema";
import { approveAdjustment, requestAdjustment } from "@/lib/loyalty/adjustments/adjustment-requests";
import { ensureMember } from "@/lib/loyalty/members/ensure-member";
import { redeemPoints } from "@/lib/loyalty/redemption/redeem-points";
import { reverseMemberTransaction } from "@/lib/loyalty/members/support-console";
import { admin, userActor } from "../support/actors";
import { useEmbeddedDatabase } from "../../support/embedded-database";

// The embedded default (PGlite, PostgreSQL 18): the four-eyes SQL (advisory locks on
// hashtextextended, the sums, the status-only trigger) must run there as on the server.
describe("four-eyes on embedded PGlite", () => {
  const embedded = useEmbeddedDatabase("four-eyes-pglite-");

  it("sums, queues, approves exactly, restocks and refuses edits of a request", async () => {
    const { db } = embedded();
    const now = new Date("2026-11-20T10:00:00Z");
    const agent = userActor("u-pglite", "support");
    const { member } = await ensureMember(db, { externalId: "fe-pg" });
    const first = await requestAdjustment(db, agent, { memberId: member.id, points: 6_000, reason: "Goodwill", referenceId: "PG-1" }, { now });
    expect(first.status).toBe("posted");
    const second = await requestAdjustment(db, agent, { memberId: member.id, points: 6_000, reason: "Goodwill", referenceId: "PG-2" }, { now });
    expect(second).toMatchObject({ status: "pending", rule: "member_threshold", need: { movedForMember: 6_000 } });
    if (second.status !== "pending") throw new Error("expected pending");
    await approveAdjustment(db, admin, second.requestId, { now });

    const [mug] = await db.insert(rewards).values({ name: "Mug", pointsCost: 100, stock: 1 }).returning();
    const redeemed = await redeemPoints(db, { memberId: member.id, rewardId: mug!.id, referenceId: "PG-R" }, { actor: "test", now });
    const reversal = await reverseMemberTransaction(db, agent, { memberId: member.id, transactionId: redeemed.transactionId, reason: "Lost" }, { now });
    if (reversal.status !== "pending") throw new Error("expected pending");
    expect(reversal.rule).toBe("redemption_reversal");
    await approveAdjustment(db, admin, reversal.requestId, { now });
    expect((await db.select().from(rewards).where(eq(rewards.id, mug!.id)))[0]!.stock).toBe(1);

    const edit = await db.execute(sql`UPDATE adjustment_requests SET points = 1 WHERE id = ${second.requestId}`).then(
      () => "updated",
      (e: unknown) => pgErrorOf(e)?.message ?? String(e),
    );
    expect(edit).toMatch(/only status, decided_by and decided_at may change/);
    expect((await db.select().from(adjustmentRequests).where(eq(adjustmentRequests.id, second.requestId)))[0]).toMatchObject({
      points: 6_000,
      status: "approved",
    });
  });
});
