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
  categories?: string[];
  channels?: string[];
}

/** Overlapping on purpose: C0 and C3 tie at 2× (C0, older, wins); C1 only for gold; C4 paused. */
export const CAMPAIGNS: CampaignSpec[] = [
  { name: "Double purchases", multiplier: 2, fromDay: 0, toDay: 60, eventTypes: ["purchase"], tiers: [] },
  { name: "Gold triple", multiplier: 3, fromDay: 30, toDay: 400, eventTypes: [], tiers: ["gold"] },
  { name: "Login and review boost", multiplier: 1.5, fromDay: 90, toDay: 120, eventTypes: ["login", "review"], tiers: [] },
  { name: "Silver and gold double", multiplier: 2, fromDay: 20, toDay: 50, eventTypes: ["purchase"], tiers: ["silver", "gold"] },
  { name: "Paused quintuple", multiplier: 5, fromDay: 0, toDay: 500, eventTypes: [], tiers: [], paused: true },
  // § Earning rules and caps: campaigns on purchase lines of a category, and on a channel.
  { name: "Double shoes", multiplier: 2, fromDay: 0, toDay: 90, eventTypes: ["purchase"], tiers: [], categories: ["shoes"] },
  { name: "App triple", multiplier: 3, fromDay: 5, toDay: 300, eventTypes: ["purchase"], tiers: [], channels: ["app"] },
];

/** Order lines the generator picks from (commands.ts): SKU and category (SOCKS has none). */
export const CATALOG = [
  { sku: "SNEAKER", category: "shoes" },
  { sku: "BOOT", category: "shoes" },
  { sku: "GC-50", category: "giftcard" },
  { sku: "LAUNCH", category: "gadgets" },
  { sku: "SOCKS" },
] as const;
export const CHANNELS = ["web", "app", "store"] as const;

/**
 * Earning rules (docs/ledger.md, Earning rules and caps): an exclusion, a category rate, a SKU rate
 * in a window, a SKU bonus, an app bonus over a minimum spend, and a newer category rate for one
 * channel that ties with the older one (the newer wins).
 */
export const EARNING_RULES: {
  name: string;
  skus?: string[];
  categories?: string[];
  channels?: string[];
  minSpendCents?: number;
  rate?: number;
  bonus?: number;
  fromDay: number;
  toDay?: number;
}[] = [
  { name: "No points on gift cards", categories: ["giftcard"], rate: 0, fromDay: 0 },
  { name: "Shoes 3 points", categories: ["shoes"], rate: 3, fromDay: 0 },
  { name: "Boots 5 points", skus: ["BOOT"], rate: 5, fromDay: 10, toDay: 200 },
  { name: "Launch bonus", skus: ["LAUNCH"], bonus: 150, fromDay: 0 },
  { name: "Big app orders", channels: ["app"], minSpendCents: 20_000, bonus: 100, fromDay: 0 },
  { name: "Shoes 4 points in store", categories: ["shoes"], channels: ["store"], rate: 4, fromDay: 0 },
];

/** Caps: two reviews a member a week; 4,000 purchase points a member a day. */
export const EARNING_CAPS: { name: string; eventType?: EarnType; maxAwards?: number; maxPoints?: number; period: "day" | "week" | "month"; fromDay: number }[] =
  [
    { name: "Two reviews a week", eventType: "review", maxAwards: 2, period: "week", fromDay: 0 },
    { name: "4,000 purchase points a day", eventType: "purchase", maxPoints: 4_000, period: "day", fromDay: 0 },
  ];

interface RewardSpec {
  name: string;
  pointsCost: number;
  stock: number | null;
  active: boolean;
  kind: "item" | "coupon";
  /** A coupon's pool at the start of each sequence (uploaded through addCouponCodes), oldest first. */
  codes: string[];
  codePrefix: string | null;
}

/**
 * R0 scarce, R1 unlimited, R2 a single item, R3 inactive; R4 a coupon with a pool of two codes and
 * no prefix (out_of_stock after them), R5 a coupon with one code and then generated ones.
 */
export const REWARDS: RewardSpec[] = [
  { name: "Mug", pointsCost: 30, stock: 2, active: true, kind: "item", codes: [], codePrefix: null },
  { name: "Sticker", pointsCost: 40, stock: null, active: true, kind: "item", codes: [], codePrefix: null },
  { name: "Headphones", pointsCost: 300, stock: 1, active: true, kind: "item", codes: [], codePrefix: null },
  { name: "Retired", pointsCost: 10, stock: null, active: false, kind: "item", codes: [], codePrefix: null },
  { name: "Cinema coupon", pointsCost: 20, stock: null, active: true, kind: "coupon", codes: ["CINEMA-1", "CINEMA-2"], codePrefix: null },
  { name: "Shop coupon", pointsCost: 25, stock: null, active: true, kind: "coupon", codes: ["SHOP-FIRST"], codePrefix: "GEN" },
];

/**
 * Transfer limits small enough for the sequences to reach (set through changeProgramSettings once per
 * database); the migrations' 10,000 and 20,000 would never be.
 */
export const TRANSFER_LIMITS = { transferMaxPoints: 300, transferDailyMaxPoints: 500 };

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
    categories: c.categories ?? [],
    channels: c.channels ?? [],
  })),
  earningRules: EARNING_RULES.map((r) => ({
    skus: r.skus ?? [],
    categories: r.categories ?? [],
    channels: r.channels ?? [],
    minSpendCents: r.minSpendCents ?? null,
    rate: r.rate ?? null,
    bonus: r.bonus ?? null,
    startsAt: start + r.fromDay * DAY,
    endsAt: r.toDay === undefined ? null : start + r.toDay * DAY,
  })),
  caps: EARNING_CAPS.map((c) => ({
    eventType: c.eventType ?? null,
    maxAwards: c.maxAwards ?? null,
    maxPoints: c.maxPoints ?? null,
    period: c.period,
    startsAt: start + c.fromDay * DAY,
  })),
  ...TRANSFER_LIMITS,
  rewards: REWARDS.map((r) => ({ cost: r.pointsCost, stock: r.stock, active: r.active, kind: r.kind, codes: r.codes, prefix: r.codePrefix })),
});

export const MODEL_CONFIG = modelConfig(START);
