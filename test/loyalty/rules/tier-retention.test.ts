import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { DAY_MS, reviewTier, spendToKeep } from "@/lib/loyalty/rules/tier-retention";

const T0 = Date.UTC(2026, 5, 1);

describe("reviewTier", () => {
  it("keeps the tier until the grace ends and drops one step at the instant itself", () => {
    const start = reviewTier({ rank: 2, earnedRank: 0, graceEndsAt: null, now: T0, graceDays: 30 });
    expect(start).toEqual({ rank: 2, graceEndsAt: T0 + 30 * DAY_MS });
    const end = start.graceEndsAt!;
    expect(reviewTier({ rank: 2, earnedRank: 0, graceEndsAt: end, now: end - 1, graceDays: 30 })).toEqual({ rank: 2, graceEndsAt: end });
    expect(reviewTier({ rank: 2, earnedRank: 0, graceEndsAt: end, now: end, graceDays: 30 })).toEqual({ rank: 1, graceEndsAt: null });
    expect(reviewTier({ rank: 2, earnedRank: 0, graceEndsAt: end, now: end + 1, graceDays: 30 })).toEqual({ rank: 1, graceEndsAt: null });
  });

  it("with no grace drops one step at the first review below, not two", () => {
    expect(reviewTier({ rank: 2, earnedRank: 0, graceEndsAt: null, now: T0, graceDays: 0 })).toEqual({ rank: 1, graceEndsAt: null });
  });

  it("moves up at once, several steps, and a recovery cancels the grace", () => {
    expect(reviewTier({ rank: 0, earnedRank: 2, graceEndsAt: null, now: T0, graceDays: 30 })).toEqual({ rank: 2, graceEndsAt: null });
    expect(reviewTier({ rank: 2, earnedRank: 2, graceEndsAt: T0 + 5, now: T0, graceDays: 30 })).toEqual({ rank: 2, graceEndsAt: null });
  });

  it("keeps a grace's end when the programme's grace changes", () => {
    expect(reviewTier({ rank: 1, earnedRank: 0, graceEndsAt: T0 + DAY_MS, now: T0, graceDays: 365 })).toEqual({ rank: 1, graceEndsAt: T0 + DAY_MS });
  });
});

const reviewArb = fc.record({
  rank: fc.integer({ min: 0, max: 2 }),
  earnedRank: fc.integer({ min: 0, max: 2 }),
  graceEndsAt: fc.option(fc.integer({ min: T0 - 60 * DAY_MS, max: T0 + 60 * DAY_MS }), { nil: null }),
  now: fc.integer({ min: T0 - 60 * DAY_MS, max: T0 + 60 * DAY_MS }),
  graceDays: fc.integer({ min: 0, max: 365 }),
});

describe("reviewTier properties", () => {
  it("never drops two steps in one review, nor below the earned tier", () => {
    fc.assert(
      fc.property(reviewArb, (input) => {
        const { rank } = reviewTier(input);
        return rank >= input.rank - 1 && rank >= input.earnedRank;
      }),
    );
  });

  it("never drops before the grace ends", () => {
    fc.assert(
      fc.property(reviewArb, (input) => {
        const out = reviewTier(input);
        if (input.graceEndsAt !== null && input.now < input.graceEndsAt) return out.rank >= input.rank;
        if (input.graceEndsAt === null && input.graceDays > 0) return out.rank >= input.rank;
        return true;
      }),
    );
  });

  it("moves up immediately to the earned tier", () => {
    fc.assert(
      fc.property(reviewArb, (input) => {
        const out = reviewTier(input);
        return input.earnedRank >= input.rank ? out.rank === input.earnedRank && out.graceEndsAt === null : true;
      }),
    );
  });

  it("over any run of reviews, a drop comes only after a full grace below the tier left", () => {
    const step = fc.record({ gapMs: fc.integer({ min: 1, max: 20 * DAY_MS }), earnedRank: fc.integer({ min: 0, max: 2 }) });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 30 }), fc.array(step, { maxLength: 40 }), (rank0, graceDays, steps) => {
        let state = { rank: rank0, graceEndsAt: null as number | null };
        let now = T0;
        // The instant since which every review has found the member below the tier they hold.
        let belowSince: number | null = null;
        for (const s of steps) {
          now += s.gapMs;
          const out = reviewTier({ ...state, earnedRank: s.earnedRank, now, graceDays });
          if (s.earnedRank < state.rank) belowSince ??= now;
          else belowSince = null;
          if (out.rank < state.rank) {
            if (state.rank - out.rank !== 1) return false;
            if (now - belowSince! < graceDays * DAY_MS) return false;
            belowSince = null;
          }
          if (s.earnedRank > state.rank && out.rank !== s.earnedRank) return false;
          state = out;
        }
        return true;
      }),
    );
  });
});

describe("spendToKeep", () => {
  it("is the threshold less what will still count, never negative", () => {
    expect(spendToKeep(200_000, 150_000)).toBe(50_000);
    expect(spendToKeep(200_000, 250_000)).toBe(0);
  });
});
