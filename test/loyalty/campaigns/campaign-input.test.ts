import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { campaignFieldsSchema, instantIn, multiplierSchema, resolveWindow } from "@/lib/loyalty/campaigns/campaign-input";

const NY = "America/New_York";

describe("campaign multiplier", () => {
  it.each([0, 1, "1", "1.00", 11, "10.01", "1.234", "abc", "", -2, 2.005])("refuses %j", (value) => {
    expect(multiplierSchema.safeParse(value).success).toBe(false);
  });

  it.each([
    [2, 2],
    ["3", 3],
    ["1.5", 1.5],
    [1.01, 1.01],
    ["10", 10],
    ["10.00", 10],
  ])("accepts %j as %d", (value, expected) => {
    expect(multiplierSchema.parse(value)).toBe(expected);
  });

  it("reads every hundredth between 1.01 and 10 exactly", () => {
    fc.assert(
      fc.property(fc.integer({ min: 101, max: 1000 }), (hundredths) => {
        const text = `${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, "0")}`;
        expect(Math.round(multiplierSchema.parse(text) * 100)).toBe(hundredths);
      }),
    );
  });
});

describe("campaign window in a time zone", () => {
  it("reads a wall-clock time in the chosen zone (New York evening is the next UTC day)", () => {
    expect(instantIn("2026-01-15T20:00", NY)).toEqual(new Date("2026-01-16T01:00:00Z"));
    expect(instantIn("2026-07-15T20:00", NY)).toEqual(new Date("2026-07-16T00:00:00Z"));
  });

  it("keeps an explicit offset as the instant it names", () => {
    expect(instantIn("2026-01-15T20:00:00-05:00", "Asia/Tokyo")).toEqual(new Date("2026-01-16T01:00:00Z"));
  });

  it("refuses a wall-clock time skipped by the spring-forward change", () => {
    expect(instantIn("2026-03-08T02:30", NY)).toEqual({ error: expect.stringMatching(/does not exist/) });
  });

  it("takes the first occurrence of a time repeated by the fall-back change", () => {
    expect(instantIn("2026-11-01T01:30", NY)).toEqual(new Date("2026-11-01T05:30:00Z"));
  });

  it("refuses impossible dates", () => {
    expect(instantIn("2026-02-30T10:00", "UTC")).toHaveProperty("error");
    expect(instantIn("tomorrow", "UTC")).toHaveProperty("error");
  });

  it("spans a DST change with the right length: Sat 00:00 to Mon 00:00 New York is 47 hours", () => {
    const window = resolveWindow("2026-03-07T00:00", "2026-03-09T00:00", NY);
    expect("fieldErrors" in window).toBe(false);
    if ("fieldErrors" in window) return;
    expect(window.startsAt).toEqual(new Date("2026-03-07T05:00:00Z"));
    expect(window.endsAt).toEqual(new Date("2026-03-09T04:00:00Z"));
    expect((window.endsAt.getTime() - window.startsAt.getTime()) / 3_600_000).toBe(47);
  });

  it("refuses an end before or at the start", () => {
    expect(resolveWindow("2026-05-02T10:00", "2026-05-01T10:00", "UTC")).toEqual({
      fieldErrors: { endsAt: ["must be after the start"] },
    });
    expect(resolveWindow("2026-05-01T10:00", "2026-05-01T10:00", "UTC")).toHaveProperty("fieldErrors.endsAt");
  });
});

describe("campaign fields", () => {
  const valid = { name: "Double days", multiplier: 2, startsAt: "2026-05-01T00:00", endsAt: "2026-05-02T00:00" };

  it("defaults to every event type and tier, in UTC", () => {
    expect(campaignFieldsSchema.parse(valid)).toMatchObject({ timeZone: "UTC", eventTypes: [], tiers: [] });
  });

  it("refuses unknown event types, tiers, zones and fields", () => {
    for (const bad of [
      { ...valid, eventTypes: ["purchase", "refund"] },
      { ...valid, tiers: ["platinum"] },
      { ...valid, timeZone: "Mars/Olympus" },
      { ...valid, name: "   " },
      { ...valid, extra: 1 },
    ]) {
      expect(campaignFieldsSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});
