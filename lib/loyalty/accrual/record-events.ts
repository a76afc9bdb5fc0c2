import type { Db, Tx } from "@/db/client";
import { insertAllocations, setLotRemaining } from "@/db/queries/lots";
import { insertLedgerRows } from "@/db/queries/ledger-rows";
import { loginCheckIns } from "@/db/schema";
import { loadAccrualContext } from "./load-accrual-context";
import { planAccrual, type AcceptedEvent, type AccrualPlan, type EventOutcome, type EventResult } from "./plan-accrual";
import { LoyaltyError, ERROR_STATUS } from "../errors";
import { FUTURE_SKEW_MS, loyaltyEventSchema, type LoyaltyEvent } from "./event-input";
import { notifyMembersChanged } from "../ledger/members-changed";
import { reportAccrualBatch } from "./measurements";
import { gatherReferralFacts, settleReferrals } from "../referrals/settle-referrals";
import { eventFingerprint } from "../ledger/request-fingerprint";
import { RetryTransaction, withTransactionRetry } from "../ledger/transaction-retry";

export type { EventOutcome, EventResult } from "./plan-accrual";

export interface LedgerContext {
  /** The clock; tests and replays pass their own. */
  now?: Date;
  /** Who writes: "api:<key name>", "user:<id>", "job:<name>". */
  actor: string;
  /**
   * Book each row at its occurrence (`created_at = occurred_at`) instead of the transaction's time.
   * Only the demo seed sets it, writing 14 months of history at once so that the reports' per-day
   * figures and the liability at past dates read like a real programme's; no edge (API, stream,
   * console) does. The hash chain covers created_at as stored, so the rows verify like any other.
   */
  bookAtOccurrence?: boolean;
}

export const MAX_BATCH_EVENTS = 1000;

function validate(raw: unknown, index: number, now: Date): AcceptedEvent | EventOutcome {
  const parsed = loyaltyEventSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join(".") || undefined;
    return {
      ok: false,
      status: ERROR_STATUS.validation_failed,
      error: { error: "validation_failed", message: field ? `${field} ${issue.message}` : issue.message, ...(field ? { field } : {}) },
    };
  }
  const event = parsed.data;
  const occurredAt = event.occurredAt ? new Date(event.occurredAt) : now;
  if (occurredAt.getTime() > now.getTime() + FUTURE_SKEW_MS) {
    return {
      ok: false,
      status: ERROR_STATUS.unprocessable,
      error: { error: "unprocessable", message: "occurredAt is in the future.", field: "occurredAt" },
    };
  }
  return { index, event, occurredAt, fingerprint: eventFingerprint(event) };
}

/**
 * Writes the plan in one round trip: the statements are pipelined on the transaction's connection
 * and run in this order. If another member's transaction took one of the references meanwhile (the
 * only way, under the members' locks, for the insert to come up short), the whole transaction starts
 * again and the plan sees it (and answers reference_conflict); a statement that failed because of the
 * missing row (an allocation or check-in pointing at it) is part of that same retry.
 */
async function writePlan(tx: Tx, plan: AccrualPlan, bookAtOccurrence: boolean): Promise<void> {
  const settled = await Promise.allSettled([
    // The rows, linked into their members' chains, with each member's balance change and chain
    // head in the same statement (one update of each balance row).
    insertLedgerRows(
      tx,
      plan.rows.map((p) => p.row),
      { bookAtOccurrence, balanceChanges: plan.balanceChanges },
    ),
    setLotRemaining(tx, plan.lotUpdates),
    insertAllocations(
      tx,
      plan.rows.flatMap((p) => p.allocations.map((a) => ({ transactionId: p.row.id, lotId: a.lotId, points: a.points }))),
    ),
    plan.checkIns.length > 0 ? tx.insert(loginCheckIns).values(plan.checkIns) : undefined,
  ]);
  const [inserted] = settled;
  if (inserted.status === "fulfilled" && inserted.value !== plan.rows.length) {
    throw new RetryTransaction("a reference of the batch was taken concurrently");
  }
  const failed = settled.find((s) => s.status === "rejected");
  if (failed) throw failed.reason;
}

/**
 * Records a batch of events (up to 1,000) in one transaction, with a few set-based statements
 * whatever the batch size. Each event gets its own outcome: an invalid or unknown-member event is
 * answered with its error and does not stop the others. A reference seen before (in the ledger or
 * earlier in the batch) answers the first result with `duplicate: true` and status 200; under
 * another payload it is refused as `idempotency_conflict`, and if it belonged to another member,
 * `reference_conflict`.
 *
 * Zero-point purchases and refunds (under one currency unit) are kept as amount-0 memo rows, so that
 * their spend counts and their reference stays idempotent. A login when the member already checked
 * in that UTC day (occurredAt's day) awards nothing: status 200, points 0, `alreadyCheckedIn: true`.
 */
export async function recordEvents(db: Db, events: readonly LoyaltyEvent[], ctx: LedgerContext): Promise<EventOutcome[]> {
  if (events.length > MAX_BATCH_EVENTS) {
    throw new LoyaltyError("validation_failed", `At most ${MAX_BATCH_EVENTS} events per batch.`, { field: "events" });
  }
  const now = ctx.now ?? new Date();
  const outcomes: EventOutcome[] = new Array(events.length);
  const accepted: AcceptedEvent[] = [];
  events.forEach((raw, index) => {
    const checked = validate(raw, index, now);
    if ("event" in checked) accepted.push(checked);
    else outcomes[index] = checked;
  });

  if (accepted.length === 0) return outcomes;
  const startedAt = performance.now();
  const { plan, referrals } = await withTransactionRetry(() =>
    db.transaction(async (tx) => {
      const context = await loadAccrualContext(tx, accepted, ctx.actor, now);
      const planned = planAccrual(accepted, context);
      // The referral step's facts are read in the same pipeline as the plan's writes (referral-rewards.ts).
      const gathering = gatherReferralFacts(tx, accepted, planned);
      const [written, gathered] = await Promise.allSettled([writePlan(tx, planned, ctx.bookAtOccurrence === true), gathering]);
      if (written.status === "rejected") throw written.reason;
      if (gathered.status === "rejected") throw gathered.reason;
      const facts = gathered.value;
      const settled = facts ? await settleReferrals(tx, planned, facts, { actor: ctx.actor, now, bookAtOccurrence: ctx.bookAtOccurrence === true }) : null;
      return { plan: planned, referrals: settled };
    }),
  );
  reportAccrualBatch({ events: events.length, accepted: accepted.length, durationMs: performance.now() - startedAt });
  for (const [index, outcome] of plan.outcomes) outcomes[index] = outcome;
  for (const [index, referral] of referrals?.outcomes ?? []) {
    const outcome = outcomes[index];
    if (outcome?.ok) outcome.result = { ...outcome.result, referral };
  }
  await notifyMembersChanged([...new Set([...plan.balanceChanges.keys(), ...(referrals?.changedMembers ?? [])])]);
  return outcomes;
}

/** One event; throws its LoyaltyError. A replay resolves with `duplicate: true` (HTTP 200), a new row with false (201). */
export async function recordEvent(db: Db, event: LoyaltyEvent, ctx: LedgerContext): Promise<EventResult> {
  const [outcome] = await recordEvents(db, [event], ctx);
  if (!outcome) throw new Error("recordEvents returned no outcome");
  if (!outcome.ok) throw new LoyaltyError(outcome.error.error, outcome.error.message, { field: outcome.error.field });
  return outcome.result;
}
