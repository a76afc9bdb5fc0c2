import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { addUtcMonths, expiresAtFor } from "@/lib/loyalty/rules/expiry";
import { allocateFifo, compareLots, repayDebtFrom, unexpiredPoints, type LotState } from "@/lib/loyalty/rules/fifo";
import { loginPoints, nextStreak, previousUtcDay, utcDay } from "@/lib/loyalty/rules/login-streak";
import { pickCampaign, type CampaignCandidate } from "@/lib/loyalty/rules/multipliers";
import { applyMultiplier, combineMultipliers, purchaseBasePoints, refundPoints, toTenThousandths } from "@/lib/loyalty/rules/points";
import { tierForSpend } from "@/lib/loyalty/rules/tiers";

describe("points", () => {
  it("awards whole currency units only", () => {
    expect(purchaseBasePoints(12_345, 1)).toBe(123);
    expect(purchaseBasePoints(99, 1)).toBe(0);
    expect(purchaseBasePoints(1_000_000_000_000, 3)).toBe(30_000_000_000);
  });

  it("multiplies with integers and floors", () => {
    expect(toTenThousandths(1.15)).toBe(11_500);
    expect(applyMultiplier(123, 25_000)).toBe(307);
    expect(combineMultipliers(20_000, 12_500)).toBe(25_000);
    expect(combineMultipliers(100_000, 100_000)).toBe(999_999);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 10_000, max: 999_999 }), (points, tt) => {
        const result = applyMultiplier(points, tt);
        return Number.isInteger(result) && result * 10_000 <= points * tt && (result + 1) * 10_000 > points * tt;
      }),
    );
  });

  it("never refunds more than the purchase earned, however it is split", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.array(fc.integer({ min: 1, max: 1_000 }), { minLength: 1, maxLength: 20 }),
        (points, cents, weights) => {
          const total = weights.reduce((a, b) => a + b, 0);
          // Split the whole purchase into parts proportional to the weights.
          let before = 0;
          let refunded = 0;
          weights.forEach((w, i) => {
            const part = i === weights.length - 1 ? cents - before : Math.floor((cents * w) / total);
            const p = refundPoints({ originalPoints: points, originalAmountCents: cents, refundedBeforeCents: before, refundCents: part });
            expect(p).toBeGreaterThanOrEqual(0);
            refunded += p;
            before += part;
          });
          return refunded === points;
        },
      ),
    );
    expect(() => refundPoints({ originalPoints: 10, originalAmountCents: 100, refundedBeforeCents: 50, refundCents: 51 })).toThrow();
  });
});

describe("campaigns", () => {
  const window = { startsAt: new Date("2026-06-01T00:00:00Z"), endsAt: new Date("2026-07-01T00:00:00Z"), pausedAt: null, archivedAt: null };
  const c = (id: number, multiplier: number, extra: Partial<CampaignCandidate> = {}): CampaignCandidate => ({
    id,
    multiplier,
    eventTypes: [],
    tiers: [],
    ...window,
    ...extra,
  });
  const at = new Date("2026-06-15T00:00:00Z");

  it("picks the highest multiplier, ties to the lowest id, and respects window, pause, archive, type and tier", () => {
    const list = [
      c(5, 2),
      c(3, 2),
      c(1, 1.5),
      c(9, 3, { pausedAt: at }),
      c(8, 4, { archivedAt: at }),
      c(7, 5, { tiers: ["gold"] }),
      c(6, 6, { eventTypes: ["login"] }),
    ];
    expect(pickCampaign(list, { eventType: "purchase", tier: "bronze", at })?.id).toBe(3);
    expect(pickCampaign(list, { eventType: "purchase", tier: "gold", at })?.id).toBe(7);
    expect(pickCampaign(list, { eventType: "login", tier: "bronze", at })?.id).toBe(6);
    expect(pickCampaign(list, { eventType: "purchase", tier: "bronze", at: window.endsAt })).toBeNull();
    expect(pickCampaign(list, { eventType: "purchase", tier: "bronze", at: window.startsAt })?.id).toBe(3);
  });
});

const lotArb = fc.record({
  id: fc.integer({ min: 1, max: 1_000_000 }),
  expiresAt: fc.date({ min: new Date("2025-01-01T00:00:00Z"), max: new Date("2028-01-01T00:00:00Z"), noInvalidDate: true }),
  remaining: fc.integer({ min: 0, max: 1_000 }),
});
const lotsArb = fc.uniqueArray(lotArb, { selector: (l) => l.id, maxLength: 15 });

describe("fifo", () => {
  const now = new Date("2026-06-15T00:00:00Z");

  it("consumes older lots before newer ones, never expired ones for a redemption, never more than a lot holds", () => {
    fc.assert(
      fc.property(lotsArb, fc.integer({ min: 0, max: 20_000 }), (lots: LotState[], points) => {
        const { allocations, shortfall } = allocateFifo(lots, points, { now });
        const available = unexpiredPoints(lots, now);
        expect(shortfall).toBe(Math.max(0, points - available));
        expect(allocations.reduce((s, a) => s + a.points, 0)).toBe(Math.min(points, available));
        const byId = new Map(lots.map((l) => [l.id, l]));
        allocations.forEach((a, i) => {
          const lot = byId.get(a.lotId)!;
          expect(lot.expiresAt.getTime()).toBeGreaterThan(now.getTime());
          expect(a.points).toBeGreaterThan(0);
          expect(a.points).toBeLessThanOrEqual(lot.remaining);
          // Every lot before the last one touched is emptied, and none older was skipped.
          if (i < allocations.length - 1) expect(a.points).toBe(lot.remaining);
          if (i > 0) expect(compareLots(byId.get(allocations[i - 1]!.lotId)!, lot)).toBeLessThan(0);
        });
        const last = allocations[allocations.length - 1];
        if (last) {
          const untouchedOlder = lots.filter(
            (l) => l.remaining > 0 && l.expiresAt > now && compareLots(l, byId.get(last.lotId)!) < 0 && !allocations.some((a) => a.lotId === l.id),
          );
          expect(untouchedOlder).toEqual([]);
        }
      }),
    );
  });

  it("takes the preferred lot first and expired lots when asked", () => {
    const lots = [
      { id: 1, expiresAt: new Date("2026-01-01T00:00:00Z"), remaining: 5 },
      { id: 2, expiresAt: new Date("2027-01-01T00:00:00Z"), remaining: 5 },
      { id: 3, expiresAt: new Date("2028-01-01T00:00:00Z"), remaining: 5 },
    ];
    expect(allocateFifo(lots, 7, { now, includeExpired: true, preferLotId: 3 }).allocations).toEqual([
      { lotId: 3, points: 5 },
      { lotId: 1, points: 2 },
    ]);
    expect(allocateFifo(lots, 20, { now, includeExpired: true }).shortfall).toBe(5);
  });

  it("repays debt before keeping points", () => {
    expect(repayDebtFrom([30, 50], -40)).toEqual({ kept: [0, 40], debtLeft: 0 });
    expect(repayDebtFrom([30], -40)).toEqual({ kept: [0], debtLeft: 10 });
    expect(repayDebtFrom([30], 10)).toEqual({ kept: [30], debtLeft: 0 });
  });
});

describe("expiry dates", () => {
  it("adds calendar months in UTC and clamps to the end of shorter months", () => {
    expect(addUtcMonths(new Date("2026-01-31T10:00:00Z"), 1).toISOString()).toBe("2026-02-28T10:00:00.000Z");
    expect(addUtcMonths(new Date("2024-02-29T23:59:59Z"), 12).toISOString()).toBe("2025-02-28T23:59:59.000Z");
    expect(expiresAtFor(new Date("2026-11-25T02:00:00Z"), 12).toISOString()).toBe("2027-11-25T02:00:00.000Z");
    expect(addUtcMonths(new Date("2026-03-31T00:00:00Z"), -1).toISOString()).toBe("2026-02-28T00:00:00.000Z");
  });

  it("never lets a lot outlive its months, nor expire before the same day-of-month", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2100-01-01T00:00:00Z"), noInvalidDate: true }),
        fc.integer({ min: 1, max: 36 }),
        (d, months) => {
          const e = addUtcMonths(d, months);
          const monthsApart = (e.getUTCFullYear() - d.getUTCFullYear()) * 12 + e.getUTCMonth() - d.getUTCMonth();
          return monthsApart === months && e.getUTCDate() <= d.getUTCDate() && e.getTime() % 86_400_000 === d.getTime() % 86_400_000;
        },
      ),
    );
  });
});

describe("tiers and login streaks", () => {
  const thresholds = [
    { code: "bronze" as const, minSpend12m: 0 },
    { code: "silver" as const, minSpend12m: 50_000 },
    { code: "gold" as const, minSpend12m: 200_000 },
  ];
  it("picks the highest threshold reached", () => {
    expect(tierForSpend(0, thresholds)).toBe("bronze");
    expect(tierForSpend(49_999, thresholds)).toBe("bronze");
    expect(tierForSpend(50_000, thresholds)).toBe("silver");
    expect(tierForSpend(10 ** 12, thresholds)).toBe("gold");
  });

  it("continues a streak only from yesterday (UTC) and pays the bonus every 7th day", () => {
    expect(utcDay(new Date("2026-03-01T23:59:59Z"))).toBe("2026-03-01");
    expect(previousUtcDay("2026-03-01")).toBe("2026-02-28");
    expect(nextStreak({ day: "2026-02-28", streak: 6 }, "2026-03-01")).toBe(7);
    expect(nextStreak({ day: "2026-02-27", streak: 6 }, "2026-03-01")).toBe(1);
    expect(nextStreak(null, "2026-03-01")).toBe(1);
    const rules = { loginPoints: 10, bonusPoints: 50, streakLength: 7 };
    expect([1, 6, 7, 8, 14].map((s) => loginPoints(s, rules))).toEqual([10, 10, 60, 10, 60]);
  });
});
