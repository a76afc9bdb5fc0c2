import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { formatPoints, formatSignedPoints, pickLocale } from "@/lib/portal/format";
import { tierProgress, type TierInfo } from "@/lib/portal/tier-progress";

const TIERS: TierInfo[] = [
  { code: "bronze", name: "Bronze", rank: 1, minSpend12m: 0 },
  { code: "silver", name: "Silver", rank: 2, minSpend12m: 50_000 },
  { code: "gold", name: "Gold", rank: 3, minSpend12m: 200_000 },
];

describe("tierProgress", () => {
  it("tells the spend still needed for the next tier", () => {
    expect(tierProgress("bronze", 12_345, TIERS)).toMatchObject({ next: { code: "silver" }, spendNeeded: 37_655, percent: 24 });
    expect(tierProgress("silver", 125_000, TIERS)).toMatchObject({ next: { code: "gold" }, spendNeeded: 75_000, percent: 50 });
    expect(tierProgress("gold", 10, TIERS)).toMatchObject({ next: null, spendNeeded: 0, percent: 100 });
  });

  it("stays an integer between 0 and 100 and never asks for negative spend", () => {
    fc.assert(
      fc.property(fc.constantFrom("bronze", "silver", "gold" as const), fc.integer({ min: -1_000, max: 10_000_000 }), (tier, spend) => {
        const p = tierProgress(tier, spend, TIERS);
        expect(Number.isInteger(p.percent) && p.percent >= 0 && p.percent <= 100).toBe(true);
        expect(p.spendNeeded).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});

describe("formatting", () => {
  it("formats points for the visitor's locale", () => {
    expect(formatPoints(1234567, pickLocale("de-DE,de;q=0.9"))).toBe("1.234.567");
    expect(formatSignedPoints(-50, "en-US")).toBe("-50");
    expect(formatSignedPoints(50, "en-US")).toBe("+50");
    expect(pickLocale("not a locale!!, *")).toBe("en-US");
    expect(pickLocale(null)).toBe("en-US");
  });
});
