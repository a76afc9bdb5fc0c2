import type { AppliedRules, EarningCapPeriod, TierCode } from "@/db/schema";
import { pickCampaign, type CampaignCandidate, type CampaignEventType } from "./multipliers";
import { MULTIPLIER_SCALE, applyMultiplier, combineMultipliers, toTenThousandths } from "./points";

/**
 * Earning rules and caps (docs/ledger.md, "Earning rules and caps"). Pure: the accrual planner and
 * the console's preview both call `purchaseEarn` and `applyCaps`, so a preview shows exactly the
 * arithmetic of a real event.
 */

export interface OrderLine {
  sku: string;
  category?: string;
  quantity: number;
  amountCents: number;
}

/** The fields of an earning rule the planner looks at. */
export interface EarningRuleCandidate {
  id: number;
  skus: readonly string[];
  categories: readonly string[];
  channels: readonly string[];
  minSpendCents: number | null;
  pointsPerCurrencyUnit: number | null;
  bonusPoints: number | null;
  startsAt: Date;
  endsAt: Date | null;
  retiredAt: Date | null;
}

export interface EarningCapCandidate {
  id: number;
  /** null: a points cap over every event type. */
  eventType: CampaignEventType | null;
  maxAwardsPerMember: number | null;
  maxPoints: number | null;
  period: EarningCapPeriod;
  startsAt: Date;
  endsAt: Date | null;
  retiredAt: Date | null;
}

const inWindow = (at: Date, startsAt: Date, endsAt: Date | null, retiredAt: Date | null) =>
  retiredAt === null && startsAt.getTime() <= at.getTime() && (endsAt === null || at.getTime() < endsAt.getTime());

/** A rule in force for this purchase: not retired, in its window at occurredAt, its channel and minimum spend met. */
export function ruleInForce(rule: EarningRuleCandidate, purchase: { at: Date; channel?: string; amountCents: number }): boolean {
  return (
    inWindow(purchase.at, rule.startsAt, rule.endsAt, rule.retiredAt) &&
    (rule.channels.length === 0 || (purchase.channel !== undefined && rule.channels.includes(purchase.channel))) &&
    (rule.minSpendCents === null || purchase.amountCents >= rule.minSpendCents)
  );
}

/**
 * How specifically a rule names a line: 3 its SKU, 2 its category, 1 every line (a rule naming no
 * SKU nor category), 0 not at all. An order without lines is one line with neither.
 */
export function lineMatch(rule: EarningRuleCandidate, line: { sku: string | null; category: string | null }): 0 | 1 | 2 | 3 {
  if (line.sku !== null && rule.skus.includes(line.sku)) return 3;
  if (line.category !== null && rule.categories.includes(line.category)) return 2;
  return rule.skus.length === 0 && rule.categories.length === 0 ? 1 : 0;
}

export interface PurchaseEarnInput {
  amountCents: number;
  lines?: readonly OrderLine[];
  channel?: string;
  at: Date;
  tier: TierCode;
  /** The programme's points per currency unit: the rate of a line no rule names. */
  basePointsPerCurrencyUnit: number;
  tierTt: number;
  campaigns: readonly CampaignCandidate[];
  rules: readonly EarningRuleCandidate[];
}

export interface PurchaseEarn {
  /** Before caps. */
  points: number;
  /** The highest campaign × tier multiplier any line earned at, and its campaign (the row's columns). */
  multiplierTt: number;
  campaignId: number | null;
  /** Rule ids that set a line's rate or gave a bonus, campaign ids that multiplied a line. */
  rules: number[];
  campaigns: number[];
  /** Per given line: SKU, cents and weight (cents × rate × multiplier tt), for refunds of lines. */
  lines: { sku: string; cents: number; weight: string }[] | undefined;
}

/**
 * A purchase's points. Each line earns at the rate of the most specific rule in force that names it
 * (SKU over category over an every-line rule; on a tie the newest rule, highest id), else at the
 * programme's rate, multiplied by the best campaign for that line (its category and the channel)
 * × the tier bonus. Lines of the same rate and multiplier are added up before the whole-unit floor,
 * so a purchase no rule touches earns exactly `floor(cents / 100) × rate × multiplier` as before.
 * Each bonus rule in force that names a line (or every line) adds its fixed points once, not
 * multiplied.
 */
export function purchaseEarn(input: PurchaseEarnInput): PurchaseEarn {
  const purchase = { at: input.at, channel: input.channel, amountCents: input.amountCents };
  const live = input.rules.filter((r) => ruleInForce(r, purchase));
  const rateRules = live.filter((r) => r.pointsPerCurrencyUnit !== null);
  const lines = input.lines ?? [];
  const asMatched =
    lines.length > 0
      ? lines.map((l) => ({ sku: l.sku, category: l.category ?? null, cents: l.amountCents }))
      : [{ sku: null, category: null, cents: input.amountCents }];

  const groups = new Map<string, { rate: number; tt: number; cents: bigint }>();
  const rules = new Set<number>();
  const campaigns = new Set<number>();
  let best: { tt: number; campaignId: number | null } | null = null;
  const weights: { sku: string; cents: number; weight: string }[] = [];
  for (const line of asMatched) {
    let rule: EarningRuleCandidate | null = null;
    let level = 0;
    for (const r of rateRules) {
      const m = lineMatch(r, line);
      if (m > level || (m === level && m > 0 && rule !== null && r.id > rule.id)) {
        rule = r;
        level = m;
      }
    }
    const rate = rule ? rule.pointsPerCurrencyUnit! : input.basePointsPerCurrencyUnit;
    if (rule) rules.add(rule.id);
    const campaign = pickCampaign(input.campaigns, {
      eventType: "purchase",
      tier: input.tier,
      at: input.at,
      channel: input.channel,
      category: line.category,
    });
    if (campaign) campaigns.add(campaign.id);
    const campaignTt = campaign ? toTenThousandths(campaign.multiplier) : MULTIPLIER_SCALE;
    const tt = combineMultipliers(campaignTt, input.tierTt);
    const campaignId = campaign?.id ?? null;
    if (best === null || tt > best.tt || (tt === best.tt && campaignId !== null && (best.campaignId === null || campaignId < best.campaignId))) {
      best = { tt, campaignId };
    }
    const key = `${rate}|${tt}`;
    const group = groups.get(key);
    if (group) group.cents += BigInt(line.cents);
    else groups.set(key, { rate, tt, cents: BigInt(line.cents) });
    if (line.sku !== null) weights.push({ sku: line.sku, cents: line.cents, weight: (BigInt(line.cents) * BigInt(rate) * BigInt(tt)).toString() });
  }

  let points = 0;
  for (const g of groups.values()) points += applyMultiplier(Number((g.cents / 100n) * BigInt(g.rate)), g.tt);
  for (const r of live) {
    if (r.bonusPoints === null) continue;
    if (asMatched.some((line) => lineMatch(r, line) > 0)) {
      points += r.bonusPoints;
      rules.add(r.id);
    }
  }
  return {
    points,
    multiplierTt: best!.tt,
    campaignId: best!.campaignId,
    rules: [...rules].sort((a, b) => a - b),
    campaigns: [...campaigns].sort((a, b) => a - b),
    lines: lines.length > 0 ? weights : undefined,
  };
}

const DAY_MS = 86_400_000;

/** Start (UTC day, 'YYYY-MM-DD') of the calendar period holding `at`: the day, the ISO week (from Monday), the month. */
export function periodStart(period: EarningCapPeriod, at: Date): string {
  const day = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  if (period === "month") day.setUTCDate(1);
  if (period === "week") day.setTime(day.getTime() - ((day.getUTCDay() + 6) % 7) * DAY_MS);
  return day.toISOString().slice(0, 10);
}

/** Awards (earn rows with points) and their points, of one member, event type, period. */
export interface CapUsage {
  awards: number;
  points: number;
}

export const usageKey = (memberId: number, eventType: string, period: EarningCapPeriod, start: string) => `${memberId}|${eventType}|${period}|${start}`;

export const EARN_EVENT_TYPES = ["purchase", "referral", "review", "login"] as const;

/**
 * The caps in force for an event at `at` cut its points: an awards cap already reached gives 0; a
 * points cap gives at most what is left of it. Caps count what the period already holds (every
 * award in it, whenever it was recorded, refunded or not) and apply after rules, campaigns and the
 * tier bonus. Returns the points and the caps that cut them.
 */
export function applyCaps(
  points: number,
  event: { memberId: number; eventType: CampaignEventType; at: Date },
  caps: readonly EarningCapCandidate[],
  usage: (key: string) => CapUsage | undefined,
): { points: number; capped: number[] } {
  const capped: number[] = [];
  let left = points;
  for (const cap of caps) {
    if (left === 0) break;
    if (!inWindow(event.at, cap.startsAt, cap.endsAt, cap.retiredAt)) continue;
    if (cap.eventType !== null && cap.eventType !== event.eventType) continue;
    const start = periodStart(cap.period, event.at);
    const types = cap.eventType === null ? EARN_EVENT_TYPES : [cap.eventType];
    let awards = 0;
    let used = 0;
    for (const type of types) {
      const u = usage(usageKey(event.memberId, type, cap.period, start));
      if (u) {
        awards += u.awards;
        used += u.points;
      }
    }
    if (cap.maxAwardsPerMember !== null && awards >= cap.maxAwardsPerMember) {
      left = 0;
      capped.push(cap.id);
    } else if (cap.maxPoints !== null && left > cap.maxPoints - used) {
      left = Math.max(0, cap.maxPoints - used);
      capped.push(cap.id);
    }
  }
  return { points: left, capped };
}

/** Adds an award to the usage of every period kind (the planner's in-batch count). */
export function countAward(usage: Map<string, CapUsage>, memberId: number, eventType: string, at: Date, points: number): void {
  for (const period of ["day", "week", "month"] as const) {
    const key = usageKey(memberId, eventType, period, periodStart(period, at));
    const u = usage.get(key);
    if (u) {
      u.awards += 1;
      u.points += points;
    } else usage.set(key, { awards: 1, points });
  }
}

/** The applied_rules value of a row, or null when no rule, cap or line data applied. */
export function appliedRulesOf(parts: {
  rules?: number[];
  campaigns?: number[];
  caps?: number[];
  lines?: AppliedRules["lines"];
  returned?: AppliedRules["returned"];
}): AppliedRules | null {
  const out: AppliedRules = {};
  if (parts.rules?.length) out.rules = parts.rules;
  if (parts.caps?.length) out.caps = parts.caps;
  if (parts.lines?.length) out.lines = parts.lines;
  if (parts.returned?.length) out.returned = parts.returned;
  if (Object.keys(out).length === 0) return null;
  if (parts.campaigns?.length) out.campaigns = parts.campaigns;
  return out;
}

/**
 * Points a refund of lines takes back: the purchase's points in proportion to the weight returned,
 * counted cumulatively like refunds by amount (`refundPoints`), so refunding every line takes back
 * exactly the purchase's points and a line that earned nothing (a gift card at rate 0) takes nothing.
 * A purchase whose lines all weigh 0 (only a bonus) weighs its lines by cents instead.
 */
export function lineRefundPoints(input: {
  originalPoints: number;
  totalWeight: bigint;
  returnedBefore: bigint;
  returnedNow: bigint;
  takenBeforePoints: number;
}): number {
  const { originalPoints, totalWeight, returnedBefore, returnedNow, takenBeforePoints } = input;
  if (totalWeight <= 0n) throw new RangeError("totalWeight must be > 0");
  const after = (BigInt(originalPoints) * (returnedBefore + returnedNow)) / totalWeight;
  return Math.max(0, Number(after) - takenBeforePoints);
}

/** Each line's weight as refunds count it: its stored weight, or its cents when every line weighs 0. */
export function lineWeights(lines: readonly { sku: string; cents: number; weight: string }[]): Map<string, { cents: number; weight: bigint }> {
  const byWeight = lines.some((l) => BigInt(l.weight) > 0n);
  return new Map(lines.map((l) => [l.sku, { cents: l.cents, weight: byWeight ? BigInt(l.weight) : BigInt(l.cents) }]));
}
