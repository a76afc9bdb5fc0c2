import type { BalanceChange } from "@/db/queries/balances";
import type { NewPointTransaction } from "@/db/schema";
import type { ErrorCode } from "../errors";
import { EXPIRY_REFERENCE_TYPE } from "../jobs/expire-points";
import { IMPORT_REFERENCE_TYPE, type OpeningBalanceRow } from "./opening-balance-row";
import { repayDebtFrom } from "../rules/fifo";
import { totalsDelta } from "../rules/totals";

/** What a stored import row shows of the request that wrote it. */
export interface StoredImport {
  memberId: number;
  amount: number;
  occurredAt: Date;
  expiresAt: Date | null;
  requestFingerprint: string | null;
}

export interface ImportPlanContext {
  actor: string;
  now: Date;
  /** The batch's members (locked, or only read in a dry run) with their balances. */
  members: ReadonlyMap<string, { id: number; balance: number }>;
  /** Import rows already in the ledger under the batch's references. */
  existing: ReadonlyMap<string, StoredImport>;
  /** Ledger ids for the rows of the batch, handed out in order (two per row at most). */
  ids: readonly number[];
}

export type RowOutcome =
  | { line: number; kind: "accepted"; expired: boolean; points: number; expiredPoints: number }
  | { line: number; kind: "duplicate" }
  | { line: number; kind: "conflict"; code: ErrorCode; field?: string; message: string };

export type LedgerRow = NewPointTransaction & { id: number };

export interface ImportPlan {
  outcomes: RowOutcome[];
  /** The lots, one per accepted row, and the expire rows of those already past their expiry. */
  lots: LedgerRow[];
  expiries: LedgerRow[];
  allocations: { transactionId: number; lotId: number; points: number }[];
  balanceChanges: Map<number, BalanceChange>;
}

export const IMPORT_DESCRIPTION = "Opening balance";

/**
 * A replay of an imported reference, judged as every idempotent write of the ledger is: another
 * member → reference_conflict, another request → idempotency_conflict naming the first field of the
 * fingerprint that differs (as far as the stored row shows it), else a duplicate.
 */
export function replayOf(row: OpeningBalanceRow, memberId: number, seen: StoredImport): RowOutcome {
  const conflict = (code: ErrorCode, field: string | undefined, message: string): RowOutcome => ({
    line: row.line,
    kind: "conflict",
    code,
    ...(field ? { field } : {}),
    message,
  });
  if (seen.memberId !== memberId) return conflict("reference_conflict", "reference", `reference ${row.reference} was already imported for another member`);
  if (seen.requestFingerprint === row.fingerprint) return { line: row.line, kind: "duplicate" };
  const field =
    seen.amount !== row.points
      ? "points"
      : seen.occurredAt.getTime() !== row.earnedAt.getTime()
        ? "earnedAt"
        : row.expiresAtGiven && seen.expiresAt?.getTime() !== row.expiresAt.getTime()
          ? "expiresAt"
          : "payload";
  return conflict("idempotency_conflict", field, `reference ${row.reference} was already imported with another ${field === "payload" ? "payload" : field}`);
}

/**
 * Decides what a batch of imported rows writes (docs/ledger.md, "Opening balances"). Each accepted
 * row is an `earn` lot under ('import', reference) with its original dates; the lot first pays back
 * a negative balance, as every credit does. A lot whose expiry is already past (`expiresAt <= now`)
 * is expired in full at once by an `expire` row exactly like the expiry job's (reference ('expiry',
 * lot id), at the lot's expiresAt, with its allocation): the balance never holds its points, and they
 * pay back no debt. Pure: the caller read members, balances and references under the members'
 * locks; a member may be missing only for rows that replay a stored reference.
 */
export function planImport(rows: readonly OpeningBalanceRow[], ctx: ImportPlanContext): ImportPlan {
  const plan: ImportPlan = { outcomes: [], lots: [], expiries: [], allocations: [], balanceChanges: new Map() };
  const balances = new Map<number, number>();
  let next = 0;
  const takeId = () => {
    const id = ctx.ids[next++];
    if (id === undefined) throw new Error("planImport: ran out of ledger ids");
    return id;
  };
  const change = (memberId: number, points: number, earned: number) => {
    const c = plan.balanceChanges.get(memberId);
    if (c) {
      c.points += points;
      c.earned += earned;
    } else plan.balanceChanges.set(memberId, { points, earned, redeemed: 0, spend: 0 });
  };

  for (const row of rows) {
    const member = ctx.members.get(row.externalId);
    const seen = ctx.existing.get(row.reference);
    if (seen) {
      // A member that does not exist cannot own the stored row: another member's reference.
      plan.outcomes.push(replayOf(row, member?.id ?? Number.NaN, seen));
      continue;
    }
    if (!member) throw new Error(`planImport: member ${row.externalId} was not resolved`);
    const balance = balances.get(member.id) ?? member.balance;
    const expired = row.expiresAt.getTime() <= ctx.now.getTime();
    // Points already past their expiry are never in the balance, so they pay back no debt either.
    const remaining = expired ? row.points : repayDebtFrom([row.points], balance).kept[0]!;
    const lotId = takeId();
    plan.lots.push({
      id: lotId,
      memberId: member.id,
      type: "earn",
      amount: row.points,
      referenceType: IMPORT_REFERENCE_TYPE,
      referenceId: row.reference,
      multiplier: 1,
      campaignId: null,
      rewardId: null,
      spendAmount: null,
      relatedTransactionId: null,
      description: IMPORT_DESCRIPTION,
      createdBy: ctx.actor,
      occurredAt: row.earnedAt,
      expiresAt: row.expiresAt,
      remaining,
      requestFingerprint: row.fingerprint,
      vestsAt: null,
    });
    const earned = totalsDelta("earn", row.points).earned;
    let expiredPoints = 0;
    if (expired) {
      expiredPoints = remaining;
      const expireId = takeId();
      plan.lots[plan.lots.length - 1]!.remaining = 0;
      plan.expiries.push({
        id: expireId,
        memberId: member.id,
        type: "expire",
        amount: -remaining,
        referenceType: EXPIRY_REFERENCE_TYPE,
        referenceId: String(lotId),
        multiplier: 1,
        campaignId: null,
        rewardId: null,
        spendAmount: null,
        relatedTransactionId: lotId,
        description: null,
        createdBy: ctx.actor,
        occurredAt: row.expiresAt,
        expiresAt: null,
        remaining: null,
        requestFingerprint: null,
        vestsAt: null,
      });
      plan.allocations.push({ transactionId: expireId, lotId, points: remaining });
    }
    balances.set(member.id, balance + row.points - expiredPoints);
    change(member.id, row.points - expiredPoints, earned);
    plan.outcomes.push({ line: row.line, kind: "accepted", expired, points: row.points, expiredPoints });
  }
  return plan;
}
