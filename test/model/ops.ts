/**
 * Resolved operations: concrete inputs that both the model and the system receive (the generators'
 * abstract commands are resolved into these against the model's state, see commands.ts), and the
 * answers both sides are normalised into before they are compared.
 */
import {
  adjust,
  advance,
  expirePoints,
  recalculateTiers,
  recordEvent,
  redeem,
  reverse,
  type AdjustInput,
  type BalanceAnswer,
  type EventAnswer,
  type EventInput,
  type RedeemInput,
  type ReverseAnswer,
  type ReverseInput,
} from "./ledger-model";
import type { ModelState } from "./model-state";

export type Op =
  | { kind: "events"; events: EventInput[] }
  | ({ kind: "redeem" } & RedeemInput)
  | ({ kind: "adjust" } & AdjustInput)
  | ({ kind: "reverse" } & ReverseInput)
  | { kind: "expire" }
  | { kind: "tiers" }
  | { kind: "advance"; ms: number };

export type Answer =
  | { kind: "events"; outcomes: EventAnswer[] }
  | { kind: "balance"; answer: BalanceAnswer }
  | { kind: "reverse"; answer: ReverseAnswer }
  | { kind: "expire"; lotsExpired: number; pointsExpired: number; membersAffected: number }
  | { kind: "tiers"; upgraded: number; downgraded: number }
  | { kind: "advance" };

export function applyToModel(state: ModelState, op: Op): Answer {
  switch (op.kind) {
    case "events":
      return { kind: "events", outcomes: op.events.map((e) => recordEvent(state, e)) };
    case "redeem":
      return { kind: "balance", answer: redeem(state, op) };
    case "adjust":
      return { kind: "balance", answer: adjust(state, op) };
    case "reverse":
      return { kind: "reverse", answer: reverse(state, op) };
    case "expire":
      return { kind: "expire", ...expirePoints(state) };
    case "tiers":
      return { kind: "tiers", ...recalculateTiers(state) };
    case "advance":
      advance(state, op.ms);
      return { kind: "advance" };
  }
}
