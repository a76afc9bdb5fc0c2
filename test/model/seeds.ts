/**
 * Regression seeds: command sequences on which the model and the system once disagreed (shrunk by
 * fast-check, or written from a shrunk run), and the worked examples of docs/ledger.md, replayed by
 * regressions.test.ts on every run. Each says what it found or shows; findings are written up in
 * /work/notes/model-findings.md (F-numbers). `expect` pins the model's final figures to the
 * document's own numbers (the system is compared with the model at every step anyway).
 * A seed whose fix has not landed keeps `open: "<finding>"`: it runs as an expected failure
 * (it.fails), so it starts failing the day the fix lands and must then lose the flag.
 *
 * Purchases dated a day back (`back: 1`) fall before the 2× purchase campaign (it starts at START)
 * and earn 1 point per currency unit, as the document's examples do; `advance` 61 days first
 * leaves that campaign behind for the purchases of the day.
 */
import type { Command } from "./commands";
import type { MemberView } from "./snapshot";

export interface Seed {
  name: string;
  found: string;
  open?: string;
  commands: Command[];
  expect?: Record<string, Partial<MemberView>>;
}

const DAY = 86_400_000;
const leaveCampaign: Command = { c: "advance", ms: 61 * DAY };
/** A purchase of 100.00: 100 points. */
const hundred = (ref: number, back = 1): Command => ({ c: "purchase", m: 0, ref, cents: 10_000, back });

export const SEEDS: Seed[] = [
  {
    name: "the issue's refund after expiry",
    found:
      "issue 9: purchase 13 months ago (100 points), purchase today (30), expiry job, full refund of the old purchase: " +
      "the balance became -70 and the 12-month spend 0. Expired points count as given back first: the refund debits 0.",
    commands: [
      leaveCampaign,
      hundred(1, 396),
      { c: "purchase", m: 0, ref: 2, cents: 3_000 },
      { c: "tiers" },
      { c: "expire" },
      { c: "refund", pick: 0, ref: 1, share: 1000 },
      { c: "tiers" },
    ],
    expect: { m0: { balance: 30, availablePoints: 30, tierSpend12m: 3_000 } },
  },
  {
    name: "a replay with another amount",
    found: "issue 9: a reference replayed with another amount was answered as a duplicate (200); it is 409 idempotency_conflict, field amountCents",
    commands: [
      { c: "purchase", m: 0, ref: 1, cents: 5_000 },
      { c: "replay", pick: 0, change: "amount" },
      { c: "replay", pick: 0, change: "none" },
    ],
  },
  {
    name: "docs/ledger.md: 60 redeemed, the other 40 expired, refunded in two halves",
    found: "the document's example: the halves debit 10 and 50, in all 60, the points the member used",
    commands: [
      leaveCampaign,
      hundred(1),
      { c: "redeem", m: 0, ref: 1, points: 60 },
      { c: "advance", ms: 365 * DAY },
      { c: "expire" },
      { c: "refund", pick: 0, ref: 1, share: 500 },
      { c: "refund", pick: 0, ref: 2, share: 500, rest: true },
    ],
    expect: { m0: { balance: -60, totalEarned: 40, totalRedeemed: 60 } },
  },
  {
    name: "docs/ledger.md: half refunded, the other half expired, the rest refunded",
    found: "the document's example: the last refund debits 0",
    commands: [
      leaveCampaign,
      hundred(1),
      { c: "refund", pick: 0, ref: 1, share: 500 },
      { c: "advance", ms: 365 * DAY },
      { c: "expire" },
      { c: "refund", pick: 0, ref: 2, share: 500, rest: true },
    ],
    expect: { m0: { balance: 0, totalEarned: 50 } },
  },
  {
    name: "docs/ledger.md: reversed by staff, then refunded",
    found: "the document's example: the refund is accepted with 0 points, and its replay is a duplicate; the spend left the window once",
    commands: [
      leaveCampaign,
      hundred(1),
      { c: "reverse", pick: 0 },
      { c: "refund", pick: 0, ref: 1, share: 1000 },
      { c: "replay", pick: 1, change: "none" },
      { c: "tiers" },
    ],
    expect: { m0: { balance: 0, tierSpend12m: 0, totalEarned: 0 } },
  },
  {
    name: "a negative balance is paid back by the next credit",
    found: "a refund after the points were redeemed takes the balance below zero; the next purchase's lot keeps only what is left after the debt",
    commands: [
      leaveCampaign,
      hundred(1),
      { c: "redeem", m: 0, ref: 1, points: 100 },
      { c: "refund", pick: 0, ref: 1, share: 1000 },
      { c: "purchase", m: 0, ref: 2, cents: 3_000 },
    ],
    expect: { m0: { balance: -70, availablePoints: -70 } },
  },
  {
    name: "reward stock runs out",
    found: "the last item goes to one redemption; the next is out_of_stock and takes no points",
    commands: [
      { c: "purchase", m: 0, ref: 1, cents: 100_000 },
      { c: "redeem", m: 0, ref: 1, reward: 2 },
      { c: "redeem", m: 0, ref: 2, reward: 2 },
      { c: "redeem", m: 0, ref: 3, reward: 0 },
      { c: "redeem", m: 0, ref: 4, reward: 0 },
      { c: "redeem", m: 0, ref: 5, reward: 0 },
    ],
    expect: { m0: { totalRedeemed: 360 } },
  },
  {
    name: "a 7-day login streak, and a skipped day that restarts it",
    found: "10 points a day, +50 on the 7th consecutive UTC day; a gap starts again at 1",
    commands: [
      { c: "streak", m: 0, days: 8 },
      { c: "streak", m: 1, days: 9, gap: 3 },
    ],
    expect: { m0: { balance: 130 }, m1: { balance: 80 } },
  },
  {
    name: "tier bonus after the tier job, and the fall after 12 months",
    found:
      "silver from 500.00 in the window (after the job only); silver earns 1.25× on top of the 2× campaign; 13 months later the job finds the member below silver and the 7-day grace starts; at its end the job moves the member back to bronze",
    commands: [
      { c: "purchase", m: 0, ref: 1, cents: 60_000, back: 1 },
      { c: "tiers" },
      { c: "purchase", m: 0, ref: 2, cents: 10_000 },
      { c: "advance", ms: 400 * DAY },
      { c: "tiers" },
      { c: "advance", ms: 7 * DAY },
      { c: "tiers" },
    ],
    expect: { m0: { tier: "bronze", balance: 850, availablePoints: 0, tierSpend12m: 0 } },
  },
  {
    name: "tier grace: kept at its end − 1 ms",
    found: "gold from 2,000.00; 13 months later the review starts a 7-day grace; a review 1 ms before its end keeps gold",
    commands: [
      { c: "purchase", m: 0, ref: 1, cents: 200_000, back: 1 },
      { c: "tiers" },
      { c: "advance", ms: 400 * DAY },
      { c: "tiers" },
      { c: "advance", ms: 7 * DAY - 1 },
      { c: "tiers" },
    ],
    expect: { m0: { tier: "gold", tierSpend12m: 0 } },
  },
  {
    name: "tier grace: one step down at its end itself, not two",
    found: "as above; the review at the grace's end moves gold to silver although the spend (0) earns bronze",
    commands: [
      { c: "purchase", m: 0, ref: 1, cents: 200_000, back: 1 },
      { c: "tiers" },
      { c: "advance", ms: 400 * DAY },
      { c: "tiers" },
      { c: "advance", ms: 7 * DAY },
      { c: "tiers" },
    ],
    expect: { m0: { tier: "silver", tierSpend12m: 0 } },
  },
  {
    name: "concurrent: two redemptions race for the same points",
    found: "one is answered, the other insufficient_points; no overdraft",
    commands: [
      hundred(1),
      {
        c: "parallel",
        items: [
          { c: "redeem", m: 0, ref: 1, points: 60 },
          { c: "redeem", m: 0, ref: 2, points: 60 },
        ],
      },
    ],
    expect: { m0: { balance: 40, totalRedeemed: 60 } },
  },
  {
    name: "concurrent: one reference racing itself, and a double reversal",
    found:
      "the same purchase sent twice at once is recorded once (201) and answered as a duplicate once (200); two reversals of one row: one is refused already_reversed",
    commands: [
      {
        c: "parallel",
        items: [
          { c: "purchase", m: 0, ref: 5, cents: 2_000 },
          { c: "purchase", m: 0, ref: 5, cents: 2_000 },
        ],
      },
      {
        c: "parallel",
        items: [
          { c: "reverse", pick: 0 },
          { c: "reverse", pick: 0 },
        ],
      },
    ],
    expect: { m0: { balance: 0 } },
  },
  {
    name: "concurrent: two lots of one member created at the same instant",
    found:
      "shrunk from a concurrent run (a harness fault, not the system's): equal expiry instants are consumed in id order, " +
      "so the serial order that explains a group must also explain the order of the member's rows",
    commands: [
      {
        c: "parallel",
        items: [
          { c: "login", m: 0, ref: 0 },
          { c: "purchase", m: 0, ref: 0, cents: 9_435 },
          { c: "refund", pick: 0, ref: 0, share: 300 },
        ],
      },
      { c: "redeem", m: 0, ref: 1, reward: 0 },
    ],
  },
  {
    name: "F1: reversing a credit whose points all expired",
    found:
      "F1: a referral whose lot expired in full, reversed by staff, answered 422 unprocessable; " +
      "docs/ledger.md: a credit with nothing left to take and no spend is 409 already_reversed (fixed in 41e7c62)",
    commands: [{ c: "referral", m: 0, ref: 0, back: 400 }, { c: "expire" }, { c: "reverse", pick: 0 }],
  },
  {
    name: "F2: reversing a reward redemption and the stock",
    found:
      "F2: a reversed reward redemption put the item back in stock while docs/ledger.md said it is not; " +
      "the document now says it is (stock + 1), and the model restocks",
    commands: [
      { c: "purchase", m: 0, ref: 1, cents: 100_000 },
      { c: "redeem", m: 0, ref: 1, reward: 0 },
      { c: "reverse", pick: 1 },
    ],
  },
  {
    name: "F4: one expiry run over lots of one member that straddle its batches",
    found:
      "F4 (seed 1365400247): the job picks lots by expiry, 3 a batch in the harness; m1's login (a day back) went into the first batch " +
      "and its older purchase into the second, so the later lot got the earlier expire row. docs/ledger.md now gives one run's " +
      "expire rows of a member the order of their lots; a batch takes whole members",
    commands: [
      { c: "purchase", m: 1, ref: 0, cents: 4_279 },
      { c: "login", m: 1, ref: 2, back: 1 },
      { c: "login", m: 2, ref: 39, back: 2 },
      { c: "login", m: 0, ref: 1, back: 3 },
      { c: "advance", ms: 400 * DAY },
      { c: "expire" },
    ],
  },
  {
    name: "F5: availablePoints of an answer while a hold is live",
    found:
      "F5: a reversal answered availablePoints 0 where the member summary said -100 (a 500-point referral, a hold of 100, the referral " +
      "reversed by staff): answers left out held and pending points. docs/ledger.md now gives every answer the summary's figure",
    commands: [
      { c: "referral", m: 0, ref: 0 },
      { c: "hold", m: 0, ref: 0, share: 200 },
      { c: "reverse", pick: 0 },
    ],
    expect: { m0: { balance: 0, heldPoints: 100, availablePoints: -100 } },
  },
  {
    name: "docs/ledger.md Holds: a checkout captures part of a hold and releases the rest; a capture at the hold's end is too late",
    found: "held points are available to nothing else; a capture of 30 of 60 held releases 30; at now = expires_at the hold has lapsed (409 hold_expired)",
    commands: [
      leaveCampaign,
      hundred(1),
      { c: "checkout", m: 0, ref: 1, share: 600, waitMs: 0, captureShare: 500, captureRef: 1 },
      { c: "checkout", m: 0, ref: 2, share: 500, waitMs: 15 * 60_000, captureRef: 2 },
      { c: "redeem", m: 0, ref: 3, points: 70 },
    ],
    expect: { m0: { balance: 0, totalRedeemed: 100, heldPoints: 0 } },
  },
  {
    name: "docs/ledger.md Holds: a hold may reserve only points that outlive it",
    found: "points expiring tomorrow cannot back a 7-day hold (insufficient_points); they can back a 1-hour one",
    commands: [
      { c: "purchase", m: 0, ref: 1, cents: 10_000, back: 364 },
      { c: "hold", m: 0, ref: 1, share: 1000, ttl: 7 * 86_400 },
      { c: "hold", m: 0, ref: 2, share: 1000, ttl: 3600 },
    ],
    expect: { m0: { heldPoints: 100, availablePoints: 0 } },
  },
  {
    name: "docs/ledger.md Transfers: the receiver's debt first, the expiry kept, the limits",
    found: "a transfer pays the receiver's negative balance back first and keeps the lots' expiry; 300 a transfer and 500 a day (the scenario's limits)",
    commands: [
      leaveCampaign,
      { c: "purchase", m: 0, ref: 1, cents: 100_000, back: 1 },
      { c: "adjust", m: 1, ref: 1, points: -50, neg: true, reason: 0 },
      { c: "transfer", m: 0, to: 0, ref: 1, share: 400 },
      { c: "transfer", m: 0, to: 0, ref: 2, share: 300 },
      { c: "transfer", m: 0, to: 0, ref: 3, share: 250 },
      { c: "transfer", m: 0, to: 0, ref: 4, share: 100 },
      { c: "advance", ms: DAY },
      { c: "transfer", m: 0, to: 0, ref: 4, share: 100 },
    ],
    expect: { m0: { balance: 473, totalEarned: 1_000, totalRedeemed: 0 }, m1: { balance: 477 } },
  },
  {
    name: "docs/ledger.md Coupon rewards: the pool's codes in order, out_of_stock, generated codes, a reversal keeps the code",
    found: "two pool codes then out_of_stock (no prefix); one pool code then generated ones; a reversed coupon redemption gives the points back, not the code",
    commands: [
      { c: "purchase", m: 0, ref: 1, cents: 100_000 },
      { c: "redeem", m: 0, ref: 1, reward: 4 },
      { c: "redeem", m: 0, ref: 2, reward: 4 },
      { c: "redeem", m: 0, ref: 3, reward: 4 },
      { c: "redeem", m: 0, ref: 4, reward: 5 },
      { c: "redeem", m: 0, ref: 5, reward: 5 },
      { c: "replay", pick: 4, change: "none" },
      { c: "reverse", pick: 1 },
    ],
    expect: { m0: { totalRedeemed: 70 } },
  },
  {
    name: "docs/ledger.md Pending points: pending until vests_at, a refund inside the window cancels them, the job records the rest",
    found: "with a 14-day window a purchase's points are in the balance but not redeemable; half refunded inside it leaves 50 pending; they vest by the clock",
    commands: [
      leaveCampaign,
      { c: "pending", days: 14 },
      hundred(1),
      { c: "redeem", m: 0, ref: 1, points: 10 },
      { c: "refund", pick: 0, ref: 1, share: 500 },
      { c: "vest" },
      { c: "advance", ms: 14 * DAY },
      { c: "vest" },
      hundred(2),
      // Its answer's availablePoints leaves the new purchase's pending points out (F5).
      { c: "redeem", m: 0, ref: 2, points: 50 },
    ],
    expect: { m0: { balance: 100, pendingPoints: 100, availablePoints: 0, totalRedeemed: 50 } },
  },
];
