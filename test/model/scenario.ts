/**
 * The fixed world every sequence starts from: the migrations' programme defaults, tier earn bonuses
 * (set through the real tier settings service, so the tier bonus rule is exercised: the migrations
 * install 1× everywhere), a few campaigns and rewards created through the real services, three
 * members, and the clock.
 */
import { DAY } from "./model-time";
import { MIGRATION_DEFAULTS, SCALE, type EarnType, type ModelConfig, type TierCode } from "./model-state";

export const START = Date.parse("2026-01-05T10:00:00.000Z");
export const MEMBERS = ["m0", "m1", "m2"] as const;
/** An external id no member has. */
export const GHOST = "ghost";

/** Thresholds stay the migrations' (500.00 and 2,000.00); only the bonuses change. */
export const TIER_GRACE_DAYS = 7;
export const TIER_BONUS: Record<TierCode, number> = { bronze: 1, silver: 1.25, gold: 1.5 };

interface CampaignSpec {
  name: string;
  multiplier: number;
  fromDay: number;
  toDay: number;
  eventTypes: EarnType[];
  tiers: TierCode[];
  paused?: boolean;
}

/** Overlapping on purpose: C0 and C3 tie at 2× (C0, older, wins); C1 only for gold; C4 paused. */
export const CAMPAIGNS: CampaignSpec[] = [
  { name: "Double purchases", multiplier: 2, fromDay: 0, toDay: 60, eventTypes: ["purchase"], tiers: [] },
  { name: "Gold triple", multiplier: 3, fromDay: 30, toDay: 400, eventTypes: [], tiers: ["gold"] },
  { name: "Login and review boost", multiplier: 1.5, fromDay: 90, toDay: 120, eventTypes: ["login", "review"], tiers: [] },
  { name: "Silver and gold double", multiplier: 2, fromDay: 20, toDay: 50, eventTypes: ["purchase"], tiers: ["silver", "gold"] },
  { name: "Paused quintuple", multiplier: 5, fromDay: 0, toDay: 500, eventTypes: [], tiers: [], paused: true },
];

/** R0 scarce, R1 unlimited, R2 a single item, R3 inactive. */
export const REWARDS = [
  { name: "Mug", pointsCost: 30, stock: 2, active: true },
  { name: "Sticker", pointsCost: 40, stock: null, active: true },
  { name: "Headphones", pointsCost: 300, stock: 1, active: true },
  { name: "Retired", pointsCost: 10, stock: null, active: false },
];

/** The model's configuration for a world whose campaigns start at `start`. */
export const modelConfig = (start: number): ModelConfig => ({
  ...MIGRATION_DEFAULTS,
  // A tier grace (docs/ledger.md, Tier retention), set by prepareDatabase: 7 days is one of the
  // generated clock advances, so sequences hit its end exactly.
  tierGraceDays: TIER_GRACE_DAYS,
  tiers: MIGRATION_DEFAULTS.tiers.map((t) => ({ ...t, multiplierTt: Math.round(TIER_BONUS[t.code] * SCALE) })),
  campaigns: CAMPAIGNS.map((c) => ({
    multiplierTt: Math.round(c.multiplier * SCALE),
    startsAt: start + c.fromDay * DAY,
    endsAt: start + c.toDay * DAY,
    eventTypes: c.eventTypes,
    tiers: c.tiers,
    paused: c.paused ?? false,
  })),
  rewards: REWARDS.map((r) => ({ cost: r.pointsCost, stock: r.stock, active: r.active })),
});

export const MODEL_CONFIG = modelConfig(START);
