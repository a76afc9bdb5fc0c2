import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { pointTransactions } from "@/db/schema";
import { adjustPoints, reverseTransaction } from "@/lib/loyalty/adjustments/adjust-points";
import { createHold } from "@/lib/loyalty/redemption/hold-points";
import { changeProgramSettings } from "@/lib/loyalty/program/change-program-settings";
import { transferPoints } from "@/lib/loyalty/transfers/transfer-points";
import { ACTOR, NOW, balanceOf, codeOf, earn, lotsOf, newMember, useLedgerDatabase } from "../support/ledger";

const ctx = { ...ACTOR, now: NOW };
const send = (from: string, to: string, points: number, referenceId: string) => ({ fromMemberExternalId: from, toMemberExternalId: to, points, referenceId });

describe("transfers between members", () => {
  const t = useLedgerDatabase();

  it("moves redeemable points in one transaction; the receiver's lots keep their expiry", async () => {
    const a = await newMember(t.db, "tr-a");
    const b = await newMember(t.db, "tr-b");
    await earn(t.db, "tr-a", "tr-a-old", 30, "2026-01-10T00:00:00.000Z");
    await earn(t.db, "tr-a", "tr-a-new", 100, "2026-05-01T00:00:00.000Z");
    const moved = await transferPoints(t.db, send("tr-a", "tr-b", 50, "gift-1"), ctx);
    expect(moved).toMatchObject({ points: 50, toMemberExternalId: "tr-b", availablePoints: 80, duplicate: false });
    expect([await balanceOf(t.db, a.id), await balanceOf(t.db, b.id)]).toEqual([80, 50]);
    expect((await lotsOf(t.db, b.id)).map((l) => [l.remaining, l.expiresAt.toISOString()])).toEqual([
      [30, "2027-01-10T00:00:00.000Z"],
      [20, "2027-05-01T00:00:00.000Z"],
    ]);
    const rows = await t.db.select().from(pointTransactions).where(eq(pointTransactions.relatedTransactionId, moved.transactionId));
    expect(rows.map((r) => [r.memberId, r.referenceType, r.amount])).toEqual([
      [b.id, "transfer_in", 30],
      [b.id, "transfer_in", 20],
    ]);
    expect(await transferPoints(t.db, send("tr-a", "tr-b", 50, "gift-1"), ctx)).toMatchObject({ transactionId: moved.transactionId, duplicate: true });
    expect(await transferPoints(t.db, send("tr-a", "tr-b", 51, "gift-1"), ctx).catch(codeOf)).toBe("idempotency_conflict");
    expect(await reverseTransaction(t.db, { transactionId: moved.transactionId, reason: "undo" }, ctx).catch(codeOf)).toBe("unprocessable");
  });

  it("moves only redeemable points: not held, not past due, not to oneself, within the limits", async () => {
    const c = await newMember(t.db, "tr-c");
    await newMember(t.db, "tr-d");
    await earn(t.db, "tr-c", "tr-c-o", 100);
    await createHold(t.db, { memberId: c.id, points: 60, referenceId: "tr-c-hold" }, ctx);
    expect(await transferPoints(t.db, send("tr-c", "tr-d", 41, "tr-1"), ctx).catch(codeOf)).toBe("insufficient_points");
    expect(await transferPoints(t.db, send("tr-c", "tr-c", 1, "tr-2"), ctx).catch(codeOf)).toBe("unprocessable");
    expect(await transferPoints(t.db, send("tr-c", "nobody", 1, "tr-3"), ctx).catch((e: unknown) => e)).toMatchObject({
      code: "member_not_found",
      field: "toMemberExternalId",
    });
    await changeProgramSettings(t.db, { kind: "system", name: "test" }, { transferMaxPoints: 20, transferDailyMaxPoints: 30 });
    expect(await transferPoints(t.db, send("tr-c", "tr-d", 21, "tr-4"), ctx).catch(codeOf)).toBe("limit_exceeded");
    await transferPoints(t.db, send("tr-c", "tr-d", 20, "tr-5"), ctx);
    expect(await transferPoints(t.db, send("tr-c", "tr-d", 11, "tr-6"), ctx).catch(codeOf)).toBe("limit_exceeded");
    await transferPoints(t.db, send("tr-c", "tr-d", 10, "tr-7"), { ...ACTOR, now: new Date(NOW.getTime() + 1000) });
    expect(await balanceOf(t.db, c.id)).toBe(70);
    await changeProgramSettings(t.db, { kind: "system", name: "test" }, { transferMaxPoints: 10_000, transferDailyMaxPoints: 20_000 });
  });

  it("pays back the receiver's negative balance first", async () => {
    const e = await newMember(t.db, "tr-e");
    const f = await newMember(t.db, "tr-f");
    await earn(t.db, "tr-e", "tr-e-o", 100);
    await adjustPoints(t.db, { memberId: f.id, points: -30, reason: "Chargeback", referenceId: "tr-f-adj", allowNegativeBalance: true }, ctx);
    await transferPoints(t.db, send("tr-e", "tr-f", 50, "tr-8"), ctx);
    expect(await balanceOf(t.db, f.id)).toBe(20);
    expect((await lotsOf(t.db, f.id)).map((l) => l.remaining)).toEqual([20]);
  });

  it("never overdraws when transfers both ways race with redemptions on real connections", async () => {
    const g = await newMember(t.db, "tr-g");
    const h = await newMember(t.db, "tr-h");
    await earn(t.db, "tr-g", "tr-g-o", 100);
    await earn(t.db, "tr-h", "tr-h-o", 100);
    const pools = Array.from({ length: 4 }, () => t.connect(3));
    const attempts = Array.from({ length: 24 }, (_, i) => {
      const { db } = pools[i % pools.length]!;
      const [from, to] = i % 2 === 0 ? ["tr-g", "tr-h"] : ["tr-h", "tr-g"];
      return transferPoints(db, send(from, to, 30, `race-${i}`), ctx).then(
        () => "ok",
        (e: unknown) => codeOf(e),
      );
    });
    const outcomes = await Promise.all(attempts);
    for (const o of outcomes) expect(["ok", "insufficient_points", "limit_exceeded"]).toContain(o);
    const [bg, bh] = [await balanceOf(t.db, g.id), await balanceOf(t.db, h.id)];
    expect(bg + bh).toBe(200);
    expect(bg).toBeGreaterThanOrEqual(0);
    expect(bh).toBeGreaterThanOrEqual(0);
  });
});
