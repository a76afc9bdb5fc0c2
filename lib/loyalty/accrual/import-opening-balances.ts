import { randomUUID } from "node:crypto";
import type { Readable } from "node:stream";
import { parse, type CsvError } from "csv-parse";
import type { Db, Executor, Tx } from "@/db/client";
import { lockMembersByExternalIds } from "@/db/queries/balances";
import { insertLedgerRows } from "@/db/queries/ledger-rows";
import { insertAllocations } from "@/db/queries/lots";
import { createMissingMembers, membersWithBalances } from "@/db/queries/members";
import { findByReferences } from "@/db/queries/transactions";
import { reserveIds } from "./load-accrual-context";
import { writeAudit } from "../audit/audit-log";
import type { ErrorCode } from "../errors";
import { FUTURE_SKEW_MS } from "./event-input";
import { notifyMembersChanged } from "../ledger/members-changed";
import { planImport, type ImportPlan, type RowOutcome, type StoredImport } from "./plan-opening-balances";
import { IMPORT_REFERENCE_TYPE, headerColumns, parseOpeningBalanceRecord, type OpeningBalanceColumn, type OpeningBalanceRow } from "./opening-balance-row";
import { checkReason } from "../adjustments/check-reason";
import { getProgramSettings } from "../program/get-program-settings";
import { actorLabel, authorize, type Actor } from "../access/staff-permissions";
import { RetryTransaction, withTransactionRetry } from "../ledger/transaction-retry";

export const IMPORT_BATCH_SIZE = 5000;
/** Batches written at once (each its own transaction and connection). */
export const IMPORT_CONCURRENCY = 2;
/** Lines listed in a report (duplicates, conflicts, rejections); the counts are always exact. */
export const IMPORT_LISTED_LINES = 10_000;

/** A line that was not imported as a new lot, and why. */
export interface ImportLine {
  /** Line of the file (the header is line 1). */
  line: number;
  kind: "rejected" | "conflict" | "duplicate";
  code?: ErrorCode;
  field?: string;
  message: string;
}

export interface ImportReport {
  run: string;
  dryRun: boolean;
  /** Data lines read (the header and empty lines not counted). */
  rows: number;
  accepted: number;
  /** Of the accepted, lots booked as expired at once (past their expiry). */
  expired: number;
  duplicates: number;
  conflicts: number;
  rejected: number;
  points: number;
  expiredPoints: number;
  /** Members created (a dry run: members that would be). */
  membersCreated: number;
  /** The header could not be read: nothing was imported. */
  refused: string | null;
  lines: ImportLine[];
  linesTruncated: boolean;
}

export interface ImportOptions {
  actor: Actor;
  reason: string;
  /** The file's name, for the audit log. */
  source: string;
  dryRun?: boolean;
  now?: Date;
  batchSize?: number;
  /** Batches in flight at once (1 to 4; default 2). A dry run reads one batch at a time. */
  concurrency?: number;
  /** Every line's outcome as it is decided (accepted ones included), e.g. for a per-line report file. */
  onLine?: (outcome: ImportLine | { line: number; kind: "accepted"; expired: boolean }) => void;
  onBatch?: (report: ImportReport) => void;
}

interface Batch {
  rows: OpeningBalanceRow[];
  expiring: number;
}

/**
 * Imports opening balances from a CSV stream (`externalId,points,earnedAt,expiresAt?,reference`;
 * docs/ledger.md, "Opening balances"). Streaming: each line is checked on its own as it is parsed,
 * the good ones go in batches of `batchSize`, each one transaction through the same set-based path as
 * accrual (members created, balance rows locked in member-id order, references and ids in one
 * pipeline; ledger rows, allocations, balances and the audit entry in another). Two batches are
 * written at once while the next is parsed. A dry run reads (members, references) but writes nothing.
 */
export async function importOpeningBalances(db: Db, input: Readable, options: ImportOptions): Promise<ImportReport> {
  authorize(options.actor, "ledger:import");
  const reason = checkReason(options.reason);
  const now = options.now ?? new Date();
  const batchSize = Math.min(Math.max(Math.trunc(options.batchSize ?? IMPORT_BATCH_SIZE), 1), IMPORT_BATCH_SIZE);
  const dryRun = options.dryRun ?? false;
  const actor = actorLabel(options.actor);
  const report: ImportReport = {
    run: randomUUID(),
    dryRun,
    rows: 0,
    accepted: 0,
    expired: 0,
    duplicates: 0,
    conflicts: 0,
    rejected: 0,
    points: 0,
    expiredPoints: 0,
    membersCreated: 0,
    refused: null,
    lines: [],
    linesTruncated: false,
  };
  const note = (line: ImportLine) => {
    if (line.kind === "rejected") report.rejected++;
    else if (line.kind === "conflict") report.conflicts++;
    else report.duplicates++;
    if (report.lines.length < IMPORT_LISTED_LINES) report.lines.push(line);
    else report.linesTruncated = true;
    options.onLine?.(line);
  };
  const { expiryMonths } = await getProgramSettings(db);
  // Each reference's first line in this file: `line|fingerprint|externalId` (one string, ~60 bytes a row).
  const seen = new Map<string, string>();
  const dryRunMembers = new Map<string, number>();

  const writer = dryRun
    ? (batch: Batch) => dryRunBatch(db, batch, { actor, now, dryRunMembers })
    : (batch: Batch) => writeBatch(db, batch, { actor, now, reason, run: report.run, source: options.source });
  // Up to `concurrency` batches in flight, each on its own connection, while the next is parsed.
  // They cannot take each other's references (a reference is in one batch only: `seen`), and when
  // two share a member they queue on its balance lock like any two writers.
  const concurrency = dryRun ? 1 : Math.min(Math.max(Math.trunc(options.concurrency ?? IMPORT_CONCURRENCY), 1), 4);
  const inflight: Promise<void>[] = [];
  let failure: { error: unknown } | null = null;
  const flush = async (batch: Batch) => {
    if (inflight.length >= concurrency) await inflight.shift();
    if (failure) {
      await Promise.all(inflight);
      throw failure.error;
    }
    inflight.push(
      writer(batch).then(
        ({ plan, created }) => {
          report.membersCreated += created;
          for (const outcome of plan.outcomes) {
            if (outcome.kind === "accepted") {
              report.accepted++;
              report.points += outcome.points;
              if (outcome.expired) report.expired++;
              report.expiredPoints += outcome.expiredPoints;
              options.onLine?.({ line: outcome.line, kind: "accepted", expired: outcome.expired });
            } else note(toLine(outcome));
          }
          options.onBatch?.(report);
        },
        (error: unknown) => {
          failure ??= { error };
        },
      ),
    );
  };

  const parser = input.pipe(parse({ bom: true, info: true, relax_column_count: true, skip_empty_lines: true, skip_records_with_error: true }));
  parser.on("skip", (error: CsvError) => note({ line: Number(error.lines ?? 0), kind: "rejected", code: "validation_failed", message: error.message }));

  let positions: Record<OpeningBalanceColumn, number> | null = null;
  let columnCount = 0;
  let batch: Batch = { rows: [], expiring: 0 };
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    if (!positions) {
      const header = headerColumns(record);
      if (!header.ok) {
        report.refused = `line ${info.lines}: ${header.message}`;
        note({ line: info.lines, kind: "rejected", code: "validation_failed", message: header.message });
        break;
      }
      positions = header.positions;
      columnCount = record.length;
      continue;
    }
    report.rows++;
    const row = parseOpeningBalanceRecord(record, info.lines, positions, { now, expiryMonths, futureSkewMs: FUTURE_SKEW_MS, columnCount });
    if (!("reference" in row)) {
      note({ line: row.line, kind: "rejected", code: row.code, ...(row.field ? { field: row.field } : {}), message: row.message });
      continue;
    }
    const first = seen.get(row.reference);
    if (first !== undefined) {
      note(repeatedLine(row, first));
      continue;
    }
    seen.set(row.reference, `${row.line}|${row.fingerprint}|${row.externalId}`);
    batch.rows.push(row);
    if (row.expiresAt.getTime() <= now.getTime()) batch.expiring++;
    if (batch.rows.length >= batchSize) {
      await flush(batch);
      batch = { rows: [], expiring: 0 };
    }
  }
  if (!positions && report.refused === null) {
    report.refused = "the file is empty: expected a header line";
    note({ line: 1, kind: "rejected", code: "validation_failed", message: report.refused });
  }
  if (batch.rows.length > 0) await flush(batch);
  await Promise.all(inflight);
  if (failure) throw (failure as { error: unknown }).error;
  report.lines.sort((a, b) => a.line - b.line);
  if (!dryRun && report.refused === null) {
    await writeAudit(db, {
      actor: options.actor,
      action: "points.import_report",
      targetType: "ledger_import",
      targetId: report.run,
      reason,
      after: { ...summaryOf(report), source: options.source },
    });
  }
  return report;
}

/** The report's figures without its lines, as the audit log keeps them. */
export function summaryOf(report: ImportReport) {
  const { lines: _lines, linesTruncated: _truncated, ...figures } = report;
  void _lines;
  void _truncated;
  return figures;
}

function toLine(outcome: Exclude<RowOutcome, { kind: "accepted" }>): ImportLine {
  if (outcome.kind === "duplicate") return { line: outcome.line, kind: "duplicate", message: "already imported with the same content" };
  return { line: outcome.line, kind: "conflict", code: outcome.code, ...(outcome.field ? { field: outcome.field } : {}), message: outcome.message };
}

/** A reference that appeared earlier in the same file: judged like a replay of that line. */
function repeatedLine(row: OpeningBalanceRow, first: string): ImportLine {
  const [line, fingerprint, externalId] = first.split("|") as [string, string, string];
  if (externalId !== row.externalId) {
    return {
      line: row.line,
      kind: "conflict",
      code: "reference_conflict",
      field: "reference",
      message: `reference ${row.reference} is used by line ${line} for another member`,
    };
  }
  if (fingerprint !== row.fingerprint) {
    return { line: row.line, kind: "conflict", code: "idempotency_conflict", message: `reference ${row.reference} is used by line ${line} with other content` };
  }
  return { line: row.line, kind: "duplicate", message: `repeats line ${line}` };
}

async function storedImports(ex: Executor, rows: readonly OpeningBalanceRow[]): Promise<Map<string, StoredImport>> {
  const found = await findByReferences(
    ex,
    rows.map((r) => ({ referenceType: IMPORT_REFERENCE_TYPE, referenceId: r.reference })),
  );
  return new Map(found.map((r) => [r.referenceId, r]));
}

/** The batch's external ids that are not members yet and have a row that is not a replay. */
function membersToCreate(rows: readonly OpeningBalanceRow[], known: ReadonlySet<string>, existing: ReadonlyMap<string, StoredImport>): string[] {
  // A new member's row under a reference already in the ledger can only be another member's
  // (reference_conflict): it creates no member.
  return [...new Set(rows.filter((r) => !known.has(r.externalId) && !existing.has(r.reference)).map((r) => r.externalId))];
}

/**
 * One batch, one transaction. The first pipeline locks the balance rows of the batch's members in
 * member-id order (the lock every writer takes first), then reads the references and reserves the
 * ids: pipelined statements run in order, so the references are read under the locks. Members
 * that do not exist yet and have a row to book are created next, with their balance rows, and
 * locked (new ids, so after the others; a member created meanwhile by another writer could break
 * the order, which the deadlock retry covers). The last pipeline writes the lots and their expiries
 * with the balances and chain heads (one statement), the allocations and the audit entry (after
 * the balance locks, as every writer does). A reference another transaction took meanwhile rolls the
 * batch back and replans it.
 */
async function writeBatch(
  db: Db,
  batch: Batch,
  ctx: { actor: string; now: Date; reason: string; run: string; source: string },
): Promise<{ plan: ImportPlan; created: number }> {
  const externalIds = batch.rows.map((r) => r.externalId);
  const result = await withTransactionRetry(() =>
    db.transaction(async (tx) => {
      const [locked, existing, ids] = await Promise.all([
        lockMembersByExternalIds(tx, externalIds),
        storedImports(tx, batch.rows),
        reserveIds(tx, batch.rows.length + batch.expiring),
      ]);
      const missing = membersToCreate(batch.rows, new Set(locked.map((m) => m.externalId)), existing);
      let created = 0;
      if (missing.length > 0) {
        const [count, added] = await Promise.all([createMissingMembers(tx, missing), lockMembersByExternalIds(tx, missing)]);
        created = count;
        locked.push(...added);
      }
      const members = new Map(locked.map((m) => [m.externalId, { id: m.id, balance: m.availablePoints }]));
      const plan = planImport(batch.rows, { actor: ctx.actor, now: ctx.now, members, existing, ids });
      await writePlan(tx, plan, locked, ctx, batch);
      return { plan, created };
    }),
  );
  await notifyMembersChanged([...result.plan.balanceChanges.keys()]);
  return result;
}

async function writePlan(
  tx: Tx,
  plan: ImportPlan,
  locked: readonly { id: number; availablePoints: number }[],
  ctx: { reason: string; run: string; source: string; actor: string },
  batch: Batch,
): Promise<void> {
  const before = locked.reduce((sum, m) => sum + m.availablePoints, 0);
  const moved = [...plan.balanceChanges.values()].reduce((sum, c) => sum + c.points, 0);
  const accepted = plan.outcomes.filter((o) => o.kind === "accepted");
  const rows = [...plan.lots, ...plan.expiries];
  const settled = await Promise.allSettled([
    // Lots and their expiries in one statement, linked into the members' chains in id order (each
    // lot before its expire row), with each member's balance change and chain head in the same
    // update of its balance row (insertLedgerRows, ledger_append).
    insertLedgerRows(tx, rows, { balanceChanges: plan.balanceChanges }),
    insertAllocations(tx, plan.allocations),
    plan.lots.length > 0
      ? writeAudit(tx, {
          actor: ctx.actor,
          action: "points.import",
          targetType: "ledger_import",
          targetId: ctx.run,
          reason: ctx.reason,
          before: { members: locked.length, availablePoints: before },
          after: {
            source: ctx.source,
            fromLine: batch.rows[0]!.line,
            toLine: batch.rows[batch.rows.length - 1]!.line,
            lots: plan.lots.length,
            points: accepted.reduce((s, o) => s + o.points, 0),
            expiredLots: plan.expiries.length,
            expiredPoints: accepted.reduce((s, o) => s + o.expiredPoints, 0),
            availablePoints: before + moved,
          },
        })
      : undefined,
  ]);
  const [inserted] = settled;
  if (inserted.status === "fulfilled" && inserted.value !== rows.length) {
    throw new RetryTransaction("a reference of the import batch was taken concurrently");
  }
  const failed = settled.find((s) => s.status === "rejected");
  if (failed) throw failed.reason;
}

/**
 * A dry run's batch: the same plan from the same reads, unlocked and outside any transaction, and
 * nothing written (no member, no id reserved from the sequence). Members that would be created get
 * stand-in ids, the same one for every line of one member across the file.
 */
async function dryRunBatch(
  db: Db,
  batch: Batch,
  ctx: { actor: string; now: Date; dryRunMembers: Map<string, number> },
): Promise<{ plan: ImportPlan; created: number }> {
  const externalIds = batch.rows.map((r) => r.externalId);
  const [found, existing] = await Promise.all([membersWithBalances(db, externalIds), storedImports(db, batch.rows)]);
  let created = 0;
  const members = new Map(found);
  for (const externalId of membersToCreate(batch.rows, new Set(found.keys()), existing)) {
    let id = ctx.dryRunMembers.get(externalId);
    if (id === undefined) {
      id = -(ctx.dryRunMembers.size + 1);
      ctx.dryRunMembers.set(externalId, id);
      created++;
    }
    members.set(externalId, { id, balance: 0 });
  }
  const ids = Array.from({ length: batch.rows.length + batch.expiring }, (_, i) => -(i + 1));
  return { plan: planImport(batch.rows, { actor: ctx.actor, now: ctx.now, members, existing, ids }), created };
}
