/**
 * The reference model of docs/ledger.md "Earning rules and caps", written from the document (not
 * from lib/loyalty/rules/earning.ts): a purchase's points by order line, the caps, and refunds of
 * lines. Called from ledger-model.ts at the three places the document changes.
 */
import { SCALE, type EarnType, type ModelState, type Row, type TierCode } from "./model-state";

export interface ModelLine {
  sku: string;
  category?: string;
  quantity: number;
  amountCents: number;
}

export interface ModelEarningRule {
  /** Index = rule number (lower = older; the newest wins a tie). */
  skus: string[];
  categories: string[];
  channels: string[];
  minSpendCents: number | null;
  rate: number | null;
  bonus: number | null;
  startsAt: number;
  endsAt: number | null;
}

export interface ModelCap {
  eventType: EarnType | null;
  maxAwards: number | null;
  maxPoints: number | null;
  period: "day" | "week" | "month";
  startsAt: number;
}

/** A line as a purchase row keeps it for its refunds: SKU, cents, weight = cents × rate × multiplier tt. */
export interface LineWeight {
  sku: string;
  cents: number;
  weight: bigint;
}

const ruleInForce = (r: ModelEarningRule, at: number, channel: string | undefined, cents: number) =>
  r.startsAt <= at &&
  (r.endsAt === null || at < r.endsAt) &&
  (r.channels.length === 0 || (channel !== undefined && r.channels.includes(channel))) &&
  (r.minSpendCents === null || cents >= r.minSpendCents);

/** 3 the SKU is named, 2 the category, 1 the rule names no SKU nor category, 0 no match. */
const names = (r: ModelEarningRule, sku: string | null, category: string | null) =>
  sku !== null && r.skus.includes(sku)
    ? 3
    : category !== null && r.categories.includes(category)
      ? 2
      : r.skus.length === 0 && r.categories.length === 0
        ? 1
        : 0;

/** Best campaign for a line: event type, tier, instant, the event's channel, the line's category; highest multiplier, tie → lowest number. */
function lineCampaign(state: ModelState, tier: TierCode, at: number, channel: string | undefined, category: string | null) {
  let best: { campaign: number | null; tt: number } = { campaign: null, tt: SCALE };
  state.config.campaigns.forEach((c, i) => {
    const live = !c.paused && c.startsAt <= at && at < c.endsAt;
    const matches =
      (c.eventTypes.length === 0 || c.eventTypes.includes("purchase")) &&
      (c.tiers.length === 0 || c.tiers.includes(tier)) &&
      (!c.channels?.length || (channel !== undefined && c.channels.includes(channel))) &&
      (!c.categories?.length || (category !== null && c.categories.includes(category)));
    if (live && matches && (best.campaign === null || c.multiplierTt > best.tt)) best = { campaign: i, tt: c.multiplierTt };
  });
  return best;
}

/**
 * A purchase before caps: each line at the most specific rule's rate (newest on a tie) or the
 * programme's, × its campaign × tier bonus; lines of one rate and multiplier summed before the
 * whole-unit floor; each bonus rule naming a line once. The row's multiplier and campaign: the
 * highest a line earned at.
 */
export function purchaseEarn(state: ModelState, input: { cents: number; items?: ModelLine[]; channel?: string; tier: TierCode; at: number }) {
  const rules = (state.config.earningRules ?? []).filter((r) => ruleInForce(r, input.at, input.channel, input.cents));
  const tierTt = state.config.tiers.find((t) => t.code === input.tier)!.multiplierTt;
  const lines = input.items
    ? input.items.map((l) => ({ sku: l.sku as string | null, category: l.category ?? null, cents: l.amountCents }))
    : [{ sku: null, category: null, cents: input.cents }];
  const groups = new Map<string, { rate: number; tt: number; cents: number }>();
  const weights: LineWeight[] = [];
  let best: { tt: number; campaign: number | null } | null = null;
  for (const line of lines) {
    let rate = state.config.pointsPerCurrencyUnit;
    let level = 0;
    for (const r of rules) {
      if (r.rate === null) continue;
      const n = names(r, line.sku, line.category);
      if (n > 0 && n >= level) {
        rate = r.rate;
        level = n;
      }
    }
    const { campaign, tt: campaignTt } = lineCampaign(state, input.tier, input.at, input.channel, line.category);
    const tt = Math.min(Math.floor((campaignTt * tierTt) / SCALE), 999_999);
    if (best === null || tt > best.tt || (tt === best.tt && campaign !== null && (best.campaign === null || campaign < best.campaign))) best = { tt, campaign };
    const g = groups.get(`${rate}|${tt}`) ?? { rate, tt, cents: 0 };
    g.cents += line.cents;
    groups.set(`${rate}|${tt}`, g);
    if (line.sku !== null) weights.push({ sku: line.sku, cents: line.cents, weight: BigInt(line.cents) * BigInt(rate) * BigInt(tt) });
  }
  let points = 0;
  for (const g of groups.values()) points += Math.floor((Math.floor(g.cents / 100) * g.rate * g.tt) / SCALE);
  for (const r of rules) if (r.bonus !== null && lines.some((l) => names(r, l.sku, l.category) > 0)) points += r.bonus;
  return { points, multiplierTt: best!.tt, campaign: best!.campaign, lines: input.items ? weights : undefined };
}

const DAY = 86_400_000;
function periodStart(period: ModelCap["period"], at: number): number {
  const d = new Date(at);
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if (period === "day") return day;
  if (period === "month") return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  return day - ((new Date(day).getUTCDay() + 6) % 7) * DAY;
}
function periodEnd(period: ModelCap["period"], start: number): number {
  if (period === "day") return start + DAY;
  if (period === "week") return start + 7 * DAY;
  const d = new Date(start);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/**
 * Caps in force cut an award last: an awards cap reached gives 0, a points cap what is left. They
 * count every award of the period (earn rows with points of that event type, by occurredAt).
 */
export function capAward(state: ModelState, member: string, type: EarnType, at: number, points: number): number {
  let left = points;
  for (const cap of state.config.caps ?? []) {
    if (left === 0) break;
    if (cap.startsAt > at || (cap.eventType !== null && cap.eventType !== type)) continue;
    const from = periodStart(cap.period, at);
    const to = periodEnd(cap.period, from);
    const awards = state.rows.filter(
      (r) =>
        r.member === member &&
        r.type === "earn" &&
        r.amount > 0 &&
        r.occurredAt >= from &&
        r.occurredAt < to &&
        (cap.eventType === null ? /^(purchase|referral|review|login):/.test(r.key) : r.key.startsWith(`${cap.eventType}:`)),
    );
    if (cap.maxAwards !== null && awards.length >= cap.maxAwards) left = 0;
    else if (cap.maxPoints !== null) left = Math.min(left, Math.max(0, cap.maxPoints - awards.reduce((s, r) => s + r.amount, 0)));
  }
  return left;
}

/**
 * A refund's debit. By lines: the purchase's points × (weight returned so far + now) / total weight,
 * less what it gave back; refused for a purchase without lines, an unknown SKU, more of a line than
 * it had, or a purchase refunded the other way before. By amount: the cents formula.
 */
export function refundDebit(
  state: ModelState,
  purchase: Row,
  items: ModelLine[] | undefined,
  cents: number,
  g: { refundedCents: number; taken: number },
): { debit: number; returned?: LineWeight[] } | { code: string; field: string } {
  const refunds = state.rows.filter((r) => r.related === purchase.key && r.key.startsWith("refund:"));
  const byLines = refunds.filter((r) => r.returned !== undefined);
  if (items === undefined) {
    if (byLines.length > 0) return { code: "unprocessable", field: "items" };
    return { debit: Math.max(0, Math.floor((purchase.amount * (g.refundedCents + cents)) / purchase.spend!) - g.taken) };
  }
  if (!purchase.lines) return { code: "unprocessable", field: "items" };
  if (refunds.length > byLines.length) return { code: "unprocessable", field: "items" };
  const byWeight = purchase.lines.some((l) => l.weight > 0n);
  const weightOf = (l: LineWeight) => (byWeight ? l.weight : BigInt(l.cents));
  const total = purchase.lines.reduce((s, l) => s + weightOf(l), 0n);
  const returned: LineWeight[] = [];
  for (const [i, item] of items.entries()) {
    const line = purchase.lines.find((l) => l.sku === item.sku);
    if (!line) return { code: "unprocessable", field: `items.${i}.sku` };
    const before = byLines
      .flatMap((r) => r.returned!)
      .filter((l) => l.sku === item.sku)
      .reduce((s, l) => s + l.cents, 0);
    if (before + item.amountCents > line.cents) return { code: "refund_exceeds_purchase", field: `items.${i}.amountCents` };
    returned.push({ sku: item.sku, cents: item.amountCents, weight: line.cents === 0 ? 0n : (weightOf(line) * BigInt(item.amountCents)) / BigInt(line.cents) });
  }
  const before = byLines.flatMap((r) => r.returned!).reduce((s, l) => s + l.weight, 0n);
  const now = returned.reduce((s, l) => s + l.weight, 0n);
  const after = Number((BigInt(purchase.amount) * (before + now)) / total);
  return { debit: Math.max(0, after - g.taken), returned };
}
