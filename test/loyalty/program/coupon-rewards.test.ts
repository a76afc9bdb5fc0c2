import { describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import { memberCoupons } from "@/db/queries/coupons";
import { rewardCouponCodes } from "@/db/schema";
import { addCouponCodes, parseCodeList } from "@/lib/loyalty/program/coupon-rewards";
import { redeemPoints } from "@/lib/loyalty/redemption/redeem-points";
import { createReward } from "@/lib/loyalty/program/rewards";
import { ACTOR, NOW, codeOf, earn, newMember, useLedgerDatabase } from "../support/ledger";

const staff = { kind: "user", id: "u-marketing", roles: ["marketing"] } as const;
const ctx = { ...ACTOR, now: NOW };

describe("coupon rewards", () => {
  const t = useLedgerDatabase();

  it("gives each pooled code to one redemption only, even when they race on real connections", async () => {
    const reward = await createReward(
      t.db,
      { name: "10% off", pointsCost: 10, kind: "coupon" },
      { actor: staff, now: NOW, codes: ["C-1", "C-2", "C-3", "C-4", "C-5"] },
    );
    const members = await Promise.all(Array.from({ length: 8 }, (_, i) => newMember(t.db, `cp-${i}`)));
    for (const [i] of members.entries()) await earn(t.db, `cp-${i}`, `cp-${i}-o`, 50);
    const pools = Array.from({ length: 4 }, () => t.connect(3));
    const outcomes = await Promise.all(
      members.map((m, i) =>
        redeemPoints(pools[i % 4]!.db, { memberId: m.id, rewardId: reward.id, referenceId: `cp-r-${i}` }, ctx).then(
          (r) => r.couponCode!,
          (e: unknown) => codeOf(e) as string,
        ),
      ),
    );
    const codes = outcomes.filter((o) => o.startsWith("C-"));
    expect(codes.sort()).toEqual(["C-1", "C-2", "C-3", "C-4", "C-5"]);
    expect(outcomes.filter((o) => o === "out_of_stock")).toHaveLength(3);
    const issued = await queryRows<{ n: number }>(
      t.db,
      sql`SELECT count(DISTINCT transaction_id)::int AS n FROM reward_coupon_codes WHERE reward_id = ${reward.id}`,
    );
    expect(issued[0]!.n).toBe(5);
    // A replay answers the same code; the wallet lists it.
    const winner = outcomes.findIndex((o) => o.startsWith("C-"));
    const replay = await redeemPoints(t.db, { memberId: members[winner]!.id, rewardId: reward.id, referenceId: `cp-r-${winner}` }, ctx);
    expect(replay).toMatchObject({ duplicate: true, couponCode: outcomes[winner] });
    expect((await memberCoupons(t.db, members[winner]!.id)).map((c) => c.code)).toEqual([outcomes[winner]]);
  });

  it("generates unique codes with the prefix when there is no pool", async () => {
    const reward = await createReward(t.db, { name: "Free coffee", pointsCost: 5, kind: "coupon", codePrefix: "COFFEE" }, { actor: staff, now: NOW });
    const m = await newMember(t.db, "cp-gen");
    await earn(t.db, "cp-gen", "cp-gen-o", 50);
    const a = await redeemPoints(t.db, { memberId: m.id, rewardId: reward.id, referenceId: "cp-gen-1" }, ctx);
    const b = await redeemPoints(t.db, { memberId: m.id, rewardId: reward.id, referenceId: "cp-gen-2" }, ctx);
    expect(a.couponCode).toMatch(/^COFFEE-[A-Z2-9]{10}$/);
    expect(b.couponCode).not.toBe(a.couponCode);
  });

  it("adds uploaded codes to the pool, skipping repeats, and refuses bad lists and items", async () => {
    const reward = await createReward(t.db, { name: "Voucher", pointsCost: 5, kind: "coupon", codePrefix: "V" }, { actor: staff, now: NOW });
    expect(parseCodeList("code\nA-1\nA-2,extra\n\nA-1\n")).toEqual(["A-1", "A-2"]);
    expect(() => parseCodeList("A 1")).toThrow(/Line 1/);
    expect(await addCouponCodes(t.db, staff, reward.id, ["A-1", "A-2"])).toEqual({ added: 2, skipped: 0, poolSize: 2 });
    expect(await addCouponCodes(t.db, staff, reward.id, ["A-2", "A-3"])).toEqual({ added: 1, skipped: 1, poolSize: 3 });
    const item = await createReward(t.db, { name: "Mug", pointsCost: 5 }, { actor: staff, now: NOW });
    expect(await addCouponCodes(t.db, staff, item.id, ["X"]).catch(codeOf)).toBe("validation_failed");
    expect(await createReward(t.db, { name: "Empty", pointsCost: 5, kind: "coupon" }, { actor: staff, now: NOW }).catch(codeOf)).toBe("validation_failed");
    expect(await addCouponCodes(t.db, { kind: "user", id: "u-s", roles: ["support"] }, reward.id, ["Z"]).catch(codeOf)).toBe("forbidden");
    expect(await t.db.select().from(rewardCouponCodes).where(eq(rewardCouponCodes.rewardId, item.id))).toHaveLength(0);
  });
});
