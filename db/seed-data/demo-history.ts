import type { LoyaltyEvent } from "@/lib/loyalty/accrual/event-input";
import { addUtcMonths } from "@/lib/loyalty/rules/expiry";
import { DEMO_ACCOUNTS } from "./demo-accounts";
import { seededRandom, type DemoMember } from "./demo-members";

const DAY = 86_400_000;
const HISTORY_DAYS = 425; // about 14 months: some lots already expired, some about to

export interface DemoHistory {
  /** Purchases, referrals, reviews and logins, oldest first. */
  earnings: LoyaltyEvent[];
  /** Partial refunds of some of those purchases (recorded after them). */
  refunds: LoyaltyEvent[];
  /** Purchases made "now", once the demo 2x campaign is live. */
  campaignPurchases: LoyaltyEvent[];
}

const iso = (d: Date) => d.toISOString();

/** A whole number of cents between min and max currency units, ending like real prices (…99, …50, …00). */
function price(rand: () => number, min: number, max: number): number {
  const units = Math.floor(min + rand() * (max - min));
  const cents = [99, 50, 0, 95, 49][Math.floor(rand() * 5)]!;
  return units * 100 + cents;
}

/** An instant `daysAgo` days before now at a plausible shopping hour, never after now. */
function pastInstant(now: Date, daysAgo: number, rand: () => number): Date {
  const day = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - daysAgo * DAY;
  return new Date(Math.min(day + (9 + Math.floor(rand() * 11)) * 3_600_000 + Math.floor(rand() * 3_600_000), now.getTime() - 60_000));
}

/** When to buy so the points expire on the UTC day `days` after today (reminder windows 30/7/1). */
function expiringIn(now: Date, days: number, expiryMonths: number): Date {
  const target = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + days * DAY + 12 * 3_600_000;
  return addUtcMonths(new Date(target), -expiryMonths);
}

export function demoHistory(members: readonly DemoMember[], now: Date, expiryMonths = 12): DemoHistory {
  const earnings: LoyaltyEvent[] = [];
  const refunds: LoyaltyEvent[] = [];
  const campaignPurchases: LoyaltyEvent[] = [];
  const showcase = DEMO_ACCOUNTS.find((a) => a.memberExternalId)!.memberExternalId;

  members.forEach((member, index) => {
    const rand = seededRandom(1000 + index);
    const id = member.externalId;
    let n = 0;
    const purchases: LoyaltyEvent[] = [];
    const buy = (at: Date, amountCents: number) => {
      const event: LoyaltyEvent = { type: "purchase", memberExternalId: id, referenceId: `${id}-p${++n}`, amountCents, occurredAt: iso(at) };
      purchases.push(event);
    };

    const cadence = { gold: 18, silver: 34, casual: 75, lapsed: 0 }[member.profile];
    if (member.profile === "lapsed") {
      for (let k = 0; k < 3 + Math.floor(rand() * 3); k++) buy(pastInstant(now, 380 + Math.floor(rand() * 40), rand), price(rand, 15, 120));
    } else {
      for (let day = 1 + Math.floor(rand() * cadence); day < HISTORY_DAYS; day += Math.ceil(cadence * (0.6 + rand() * 0.8))) {
        const amount = member.profile === "gold" ? price(rand, 150, 400) : member.profile === "silver" ? price(rand, 40, 110) : price(rand, 10, 90);
        buy(pastInstant(now, day, rand), amount);
      }
    }
    if (id === showcase) {
      buy(expiringIn(now, 30, expiryMonths), 45_000);
      buy(expiringIn(now, 7, expiryMonths), 39_999);
      buy(expiringIn(now, 1, expiryMonths), 3_500);
    }
    earnings.push(...purchases);

    if (index % 7 === 0 || id === showcase) {
      earnings.push({ type: "referral", memberExternalId: id, referenceId: `${id}-referral-1`, occurredAt: iso(pastInstant(now, 20 + index, rand)) });
    }
    const reviews = id === showcase ? 2 : rand() < 0.4 ? 1 : 0;
    for (let r = 1; r <= reviews; r++) {
      earnings.push({ type: "review", memberExternalId: id, referenceId: `${id}-review-${r}`, occurredAt: iso(pastInstant(now, 3 + r * 11 + index, rand)) });
    }
    // The showcase member logged in on each of the last seven days (the streak bonus); others now and then.
    const loginDays = id === showcase ? [7, 6, 5, 4, 3, 2, 1] : [...new Set([0, 1, 2].map(() => 1 + Math.floor(rand() * 30)))].sort((a, b) => b - a);
    if (member.profile !== "lapsed") {
      for (const daysAgo of loginDays) {
        const at = pastInstant(now, daysAgo, rand);
        earnings.push({ type: "login", memberExternalId: id, referenceId: `${id}-login-${iso(at).slice(0, 10)}`, occurredAt: iso(at) });
      }
    }

    // A partial refund of the latest purchase, two days after it (for some members).
    const latest = purchases.filter((p) => p.occurredAt! < iso(new Date(now.getTime() - 3 * DAY))).at(-1);
    if (latest && (index % 8 === 0 || id === showcase)) {
      refunds.push({
        type: "refund",
        memberExternalId: id,
        referenceId: `${id}-refund-1`,
        originalReferenceId: latest.referenceId,
        amountCents: Math.floor(latest.amountCents! / 2),
        occurredAt: iso(new Date(new Date(latest.occurredAt!).getTime() + 2 * DAY)),
      });
    }
    if (index % 5 === 0 && member.profile !== "lapsed") {
      campaignPurchases.push({ type: "purchase", memberExternalId: id, referenceId: `${id}-campaign-1`, amountCents: price(rand, 20, 150) });
    }
  });

  earnings.sort((a, b) => (a.occurredAt! < b.occurredAt! ? -1 : a.occurredAt! > b.occurredAt! ? 1 : 0));
  return { earnings, refunds, campaignPurchases };
}
