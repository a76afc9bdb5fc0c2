/**
 * Regression seeds: command sequences (shrunk by fast-check or written by hand from a shrunk run)
 * on which the model and the system once disagreed, replayed by regressions.test.ts on every run.
 * Each says what it found; findings are written up in /work/notes/model-findings.md (F-numbers).
 * A seed whose fix has not landed yet keeps `open: "<finding>"`: it runs as an expected failure
 * (it.fails), so it starts failing the day the fix lands and must then lose the flag.
 */
import type { Command } from "./commands";

export interface Seed {
  name: string;
  found: string;
  open?: string;
  commands: Command[];
}

export const SEEDS: Seed[] = [
  {
    name: "the issue's refund after expiry",
    found:
      "issue 9: purchase 13 months ago (100 points), purchase today (30), expiry job, full refund of the old purchase: " +
      "the balance became -70 and the 12-month spend 0. Expired points count as given back first: the refund debits 0.",
    commands: [
      { c: "purchase", m: 0, ref: 1, cents: 10_000, back: 396 },
      { c: "purchase", m: 0, ref: 2, cents: 3_000 },
      { c: "tiers" },
      { c: "expire" },
      { c: "refund", pick: 0, ref: 1, share: 1000 },
      { c: "tiers" },
    ],
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
    name: "F1: reversing a credit whose points all expired",
    found:
      "F1: a referral whose lot expired in full, reversed by staff, answered 422 unprocessable; " +
      "docs/ledger.md: a credit with nothing left to take and no spend is 409 already_reversed",
    open: "F1",
    commands: [{ c: "referral", m: 0, ref: 0, back: 400 }, { c: "expire" }, { c: "reverse", pick: 0 }],
  },
  {
    name: "F2: reversing a reward redemption and the stock",
    found: "F2: a reversed reward redemption put the item back in stock; docs/ledger.md: reward stock is not restocked",
    open: "F2",
    commands: [{ c: "purchase", m: 0, ref: 1, cents: 100_000 }, { c: "redeem", m: 0, ref: 1, reward: 0 }, { c: "reverse", pick: 1 }],
  },
];
