import type { RewardInput } from "@/lib/loyalty/program/rewards";

export interface DemoCampaign {
  name: string;
  multiplier: number;
  /** Days from the seed's "now"; 0 = starts at once (active). */
  startsInDays: number;
  lastsDays: number;
  eventTypes: ("purchase" | "referral" | "review" | "login")[];
}

export const DEMO_CAMPAIGNS: readonly DemoCampaign[] = [
  { name: "Double points fortnight", multiplier: 2, startsInDays: 0, lastsDays: 14, eventTypes: ["purchase"] },
  { name: "Triple points weekend", multiplier: 3, startsInDays: 21, lastsDays: 3, eventTypes: ["purchase", "review"] },
];

export const DEMO_REWARDS: readonly RewardInput[] = [
  { name: "Coffee voucher", description: "One hot drink of your choice in any store.", pointsCost: 150, stock: 500 },
  { name: "€10 gift card", description: "Spend it on anything in store or online.", pointsCost: 1_000, stock: 120 },
  { name: "Free delivery for a year", description: "Unlimited free delivery on online orders.", pointsCost: 2_500, stock: null },
  { name: "Signed cookbook", description: "Our chef's cookbook, signed. Few copies left.", pointsCost: 4_000, stock: 3 },
];
