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
import {
  captureHold,
  createHold,
  setPendingDays,
  transfer,
  vestPoints,
  voidHold,
  type CaptureInput,
  type HoldAnswer,
  type HoldInput,
  type TransferAnswer,
  type TransferInput,
} from "./checkout-model";

export type Op =
  | { kind: "events"; events: EventInput[] }
  | ({ kind: "redeem" } & RedeemInput)
  | ({ kind: "adjust" } & AdjustInput)
  | ({ kind: "reverse" } & ReverseInput)
  | { kind: "expire" }
  | { kind: "tiers" }
  | { kind: "advance"; ms: number }
  | ({ kind: "hold" } & HoldInput)
  | ({ kind: "capture" } & CaptureInput)
  | { kind: "void"; hold: string | null }
  | ({ kind: "transfer" } & TransferInput)
  | { kind: "vest" }
  /** program_settings.pending_days (the Programme page, PATCH /api/v1/program). */
  | { kind: "pending"; days: number };

export type Answer =
  | { kind: "events"; outcomes: EventAnswer[] }
  | { kind: "balance"; answer: BalanceAnswer }
  | { kind: "reverse"; answer: ReverseAnswer }
  | { kind: "expire"; lotsExpired: number; pointsExpired: number; membersAffected: number }
  | { kind: "tiers"; upgraded: number; downgraded: number }
  | { kind: "advance" }
  | { kind: "hold"; answer: HoldAnswer }
  | { kind: "transfer"; answer: TransferAnswer }
  | { kind: "vest"; lotsVested: number; pointsVested: number; membersAffected: number }
  | { kind: "pending" };

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
    case "hold":
      return { kind: "hold", answer: createHold(state, op) };
    case "capture":
      return { kind: "hold", answer: captureHold(state, op) };
    case "void":
      return { kind: "hold", answer: voidHold(state, op) };
    case "transfer":
      return { kind: "transfer", answer: transfer(state, op) };
    case "vest":
      return { kind: "vest", ...vestPoints(state) };
    case "pending":
      setPendingDays(state, op.days);
      return { kind: "pending" };
  }
}
