import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { recordEvent } from "@/lib/loyalty/accrual/record-events";
import { expirePoints } from "@/lib/loyalty/jobs/expire-points";
import { eraseMember } from "@/lib/loyalty/members/erase-member";
import { ensureMember, getMemberSummary } from "@/lib/loyalty/members/ensure-member";
import { importOpeningBalances, type ImportOptions } from "@/lib/loyalty/accrual/import-opening-balances";
import { redeemPoints } from "@/lib/loyalty/redemption/redeem-points";
import { verifyChains } from "@/lib/loyalty/jobs/verify-chains";
import { verifyLedger } from "@/lib/loyalty/jobs/verify-ledger";
import { erasedIdDigest } from "@/lib/privacy/erased-id-digest";
import { ACTOR, NOW, codeOf, invariantViolations, newMember, purchase, refund, useLedgerDatabase } from "../support/ledger";

const ADMIN = { kind: "user", id: "00000000-0000-4000-8000-000000000001", roles: ["admin"] } as const;
const HEADER = "externalId,points,earnedAt,expiresAt,reference";

function run(db: Db, lines: string[], options: Partial<ImportOptions> = {}) {
  return importOpeningBalances(db, Readable.from([lines.join("\n") + "\n"]), {
    actor: ADMIN,
    reason: "Migration from the old programme",
    source: "test.csv",
    now: NOW,
    ...options,
  });
}

async function counts(db: Db) {
  const [row] = await queryRows<Record<string, number>>(
    db,
    sql`SELECT (SELECT count(*)::int FROM point_transactions) AS ledger, (SELECT count(*)::int FROM members) AS members,
               (SELECT count(*)::int FROM lot_allocations) AS allocations, (SELECT count(*)::int FROM audit_log) AS audit,
               (SELECT coalesce(sum(available_points), 0)::int FROM point_balances) AS balances,
               (SELECT last_value::int FROM point_transactions_id_seq) AS seq`,
  );
  return row!;
}

async function rowsOf(db: Db, externalId: string) {
  return queryRows<{
    type: string;
    amount: number;
    reference_type: string;
    reference_id: string;
    occurred_at: string;
    expires_at: string | null;
    remaining: number | null;
    related: number | null;
    id: number;
  }>(
    db,
    sql`SELECT t.id::int, t.type, t.amount::int, t.reference_type, t.reference_id, t.occurred_at::text, t.expires_at::text, t.remaining::int,
               t.related_transaction_id::int AS related
        FROM point_transactions t JOIN members m ON m.id = t.member_id WHERE m.external_id = ${externalId} ORDER BY t.id`,
  );
}

async function balanceRow(db: Db, externalId: string) {
  const [row] = await queryRows<{ available: number; earned: number; redeemed: number }>(
    db,
    sql`SELECT b.available_points::int AS available, b.total_earned::int AS earned, b.total_redeemed::int AS redeemed
        FROM point_balances b JOIN members m ON m.id = b.member_id WHERE m.external_id = ${externalId}`,
  );
  return row;
}

async function expectLedgerWhole(db: Db) {
  expect(await invariantViolations(db)).toEqual([]);
  expect((await verifyLedger(db)).discrepancies).toEqual([]);
  expect(await verifyChains(db)).toEqual([]);
}

describe("importOpeningBalances", () => {
  const t = useLedgerDatabase();

  const FILE = [
    HEADER,
    "ob-a,100,2026-01-10,,ob-1", // programme expiry: 12 months from earnedAt
    "ob-a,40,2025-01-01T08:00:00Z,2026-03-01T00:00:00Z,ob-2", // already past expiry at NOW
    "ob-b,25,2026-05-01T10:00:00+02:00,2027-12-31,ob-3",
    "ob-b,0,2026-01-10,,ob-4",
    "ob-b,-5,2026-01-10,,ob-5",
    "ob-b,1.5,2026-01-10,,ob-6",
    "ob-b,10,2026-02-30,,ob-7",
    "ob-b,10,2026-06-01,2026-05-01,ob-8",
    "ob-b,10,2027-01-01,,ob-9",
    ",10,2026-01-01,,ob-10",
    "ob-b,10,2026-01-01,,",
    "ob-b,10,2026-01-01,,ob-11,surplus",
    "",
    "ob-c,7,2026-06-15T12:00:00Z,2026-06-15T12:00:00.001Z,ob-12",
  ];

  it("a dry run reports what the import would do and writes nothing: no member, row, audit entry or ledger id", async () => {
    const before = await counts(t.db);
    const dry = await run(t.db, FILE, { dryRun: true });
    expect(await counts(t.db)).toEqual(before);
    expect(dry).toMatchObject({
      dryRun: true,
      rows: 13,
      accepted: 4,
      expired: 1,
      points: 172,
      expiredPoints: 40,
      membersCreated: 3,
      rejected: 9,
      conflicts: 0,
      duplicates: 0,
      refused: null,
    });

    const real = await run(t.db, FILE);
    const { run: _r1, dryRun: _d1, lines: dryLines, ...dryFigures } = dry;
    const { run: _r2, dryRun: _d2, lines: realLines, ...realFigures } = real;
    void [_r1, _r2, _d1, _d2];
    expect(realFigures).toEqual(dryFigures);
    expect(realLines).toEqual(dryLines);
  });

  it("reports every rejected line with its line number and reason", async () => {
    const report = await run(t.db, FILE, { dryRun: true });
    expect(report.lines.filter((l) => l.kind === "rejected").map((l) => [l.line, l.field ?? null, l.message])).toEqual([
      [5, "points", "points must be positive"],
      [6, "points", "points must be positive"],
      [7, "points", "points must be a whole number"],
      [8, "earnedAt", expect.stringMatching(/^earnedAt must be an ISO 8601 date/)],
      [9, "expiresAt", "expiresAt must be after earnedAt"],
      [10, "earnedAt", "earnedAt is in the future"],
      [11, "externalId", "externalId must not be empty"],
      [12, "reference", "reference must not be empty"],
      [13, null, "has 6 fields, the header has 5"],
    ]);
  });

  it("books lots with their original dates; past-expiry rows as a lot and its expire row, out of the balance", async () => {
    const a = await rowsOf(t.db, "ob-a");
    expect(a.map((r) => [r.type, r.amount, r.reference_type, r.remaining])).toEqual([
      ["earn", 100, "import", 100],
      ["earn", 40, "import", 0],
      ["expire", -40, "expiry", null],
    ]);
    expect(a[0]!.occurred_at).toBe("2026-01-10 00:00:00+00");
    expect(a[0]!.expires_at).toBe("2027-01-10 00:00:00+00");
    expect(a[1]!.occurred_at).toBe("2025-01-01 08:00:00+00");
    // The expire row is the expiry job's: reference ('expiry', lot id), at the lot's expiry, with its allocation.
    expect(a[2]).toMatchObject({ reference_id: String(a[1]!.id), related: a[1]!.id, occurred_at: "2026-03-01 00:00:00+00" });
    const [allocation] = await queryRows<{ points: number }>(
      t.db,
      sql`SELECT points::int FROM lot_allocations WHERE transaction_id = ${a[2]!.id} AND lot_id = ${a[1]!.id}`,
    );
    expect(allocation?.points).toBe(40);
    expect(await balanceRow(t.db, "ob-a")).toEqual({ available: 100, earned: 140, redeemed: 0 });
    // The earnedAt offset is kept as the instant; the explicit expiry as given.
    const b = await rowsOf(t.db, "ob-b");
    expect(b.map((r) => [r.amount, r.occurred_at, r.expires_at])).toEqual([[25, "2026-05-01 08:00:00+00", "2027-12-31 00:00:00+00"]]);
    // Expiring a millisecond after NOW is not yet expired.
    expect((await rowsOf(t.db, "ob-c")).map((r) => [r.type, r.remaining])).toEqual([["earn", 7]]);
    // The member sees the points; the expiry job finds nothing left to expire; the ledger verifies.
    expect((await getMemberSummary(t.db, "ob-a", NOW)).availablePoints).toBe(100);
    expect(await expirePoints(t.db, { now: NOW })).toEqual({ lotsExpired: 0, pointsExpired: 0, membersAffected: 0 });
    await expectLedgerWhole(t.db);
  });

  it("audits each batch (actor, reason, before and after) and the run's report", async () => {
    const entries = await queryRows<{ actor: string; action: string; reason: string; before: unknown; after: Record<string, unknown> }>(
      t.db,
      sql`SELECT actor, action, reason, before, after FROM audit_log WHERE target_type = 'ledger_import' ORDER BY id`,
    );
    expect(entries.map((e) => e.action)).toEqual(["points.import", "points.import_report"]);
    expect(entries[0]).toMatchObject({
      actor: `user:${ADMIN.id}`,
      reason: "Migration from the old programme",
      before: { members: 3, availablePoints: 0 },
      after: { source: "test.csv", lots: 4, points: 172, expiredLots: 1, expiredPoints: 40, availablePoints: 132, fromLine: 2, toLine: 15 },
    });
    expect(entries[1]!.after).toMatchObject({ accepted: 4, rejected: 9, membersCreated: 3 });
  });

  it("a re-import answers every imported line as a duplicate and writes no ledger row", async () => {
    const before = await counts(t.db);
    const again = await run(t.db, FILE);
    expect(again).toMatchObject({ accepted: 0, duplicates: 4, conflicts: 0, rejected: 9, points: 0, membersCreated: 0 });
    expect(again.lines.filter((l) => l.kind === "duplicate").map((l) => l.line)).toEqual([2, 3, 4, 15]);
    // Ids were reserved for the batch before its references were read (one round trip): gaps, no rows.
    const after = await counts(t.db);
    expect({ ...after, audit: before.audit, seq: before.seq }).toEqual(before);
    expect(after.audit).toBe(before.audit! + 1); // only the run's report
  });

  it("a reused reference with other content is a conflict naming the field; another member's is reference_conflict", async () => {
    const report = await run(t.db, [
      HEADER,
      "ob-a,101,2026-01-10,,ob-1",
      "ob-a,100,2026-01-11,,ob-1b",
      "ob-b,40,2025-01-01T08:00:00Z,2026-03-01,ob-2",
      "ob-b,25,2026-05-01T08:00:00Z,2028-01-01,ob-3",
      "ob-c,7,2026-06-15T11:00:00Z,2026-06-15T12:00:00.001Z,ob-12",
    ]);
    expect(report.lines.map((l) => [l.line, l.kind, l.code, l.field])).toEqual([
      [2, "conflict", "idempotency_conflict", "points"],
      [4, "conflict", "reference_conflict", "reference"],
      [5, "conflict", "idempotency_conflict", "expiresAt"],
      [6, "conflict", "idempotency_conflict", "earnedAt"],
    ]);
    expect(report).toMatchObject({ accepted: 1, conflicts: 4 });
    // The same points and earnedAt without the expiresAt the first import gave: another request.
    const omitted = await run(t.db, [HEADER, "ob-a,40,2025-01-01T08:00:00Z,,ob-2"]);
    expect(omitted.lines).toEqual([
      { line: 2, kind: "conflict", code: "idempotency_conflict", field: "payload", message: "reference ob-2 was already imported with another payload" },
    ]);
  });

  it("judges a reference repeated in the same file, across batches, like a replay of its first line", async () => {
    const before = await counts(t.db);
    const report = await run(
      t.db,
      [HEADER, "ob-d,5,2026-01-01,,ob-d1", "ob-d,6,2026-01-01,,ob-d2", "ob-d,5,2026-01-01,,ob-d1", "ob-d,7,2026-01-01,,ob-d1", "ob-e,5,2026-01-01,,ob-d1"],
      { batchSize: 1, dryRun: true },
    );
    expect(report.lines.map((l) => [l.line, l.kind, l.code ?? null])).toEqual([
      [4, "duplicate", null],
      [5, "conflict", "idempotency_conflict"],
      [6, "conflict", "reference_conflict"],
    ]);
    expect(report).toMatchObject({ accepted: 2, membersCreated: 1 });
    expect(await counts(t.db)).toEqual(before);
  });

  it("an unexpired lot pays back a negative balance first; a past-expiry one pays back nothing", async () => {
    const memberId = (await newMember(t.db, "ob-debt")).id;
    await recordEvent(t.db, purchase("ob-debt", "ob-debt-p", 10_000), { ...ACTOR, now: NOW });
    await redeemPoints(t.db, { memberId, points: 100, referenceId: "ob-debt-r" }, { ...ACTOR, now: NOW });
    await recordEvent(t.db, refund("ob-debt", "ob-debt-f", "ob-debt-p", 10_000), { ...ACTOR, now: NOW });
    expect((await balanceRow(t.db, "ob-debt"))!.available).toBe(-100);

    await run(t.db, [HEADER, "ob-debt,60,2024-01-01,2025-01-01,ob-debt-old", "ob-debt,130,2026-06-01,,ob-debt-new"]);
    const rows = await rowsOf(t.db, "ob-debt");
    expect(rows.filter((r) => r.reference_type === "import").map((r) => [r.reference_id, r.amount, r.remaining])).toEqual([
      ["ob-debt-old", 60, 0],
      ["ob-debt-new", 130, 30],
    ]);
    expect((await balanceRow(t.db, "ob-debt"))!.available).toBe(30);
    await expectLedgerWhole(t.db);
  });

  it("refuses a file whose header has an unknown or missing column, before any row", async () => {
    const before = await counts(t.db);
    const unknown = await run(t.db, ["externalId,points,earnedAt,expiresAt,reference,notes", "ob-z,5,2026-01-01,,ob-z1,hello"]);
    expect(unknown.refused).toMatch(/^line 1: unknown column "notes"/);
    expect(unknown).toMatchObject({ accepted: 0, rows: 0, rejected: 1 });
    const missing = await run(t.db, ["externalId,points,earnedAt", "ob-z,5,2026-01-01"]);
    expect(missing.refused).toBe("line 1: missing column reference");
    // Column order is free, expiresAt optional, names case-insensitive with underscores.
    const reordered = await run(t.db, ["REFERENCE,external_id,Points,earned_at", "ob-z1,ob-z,5,2026-01-01"], { dryRun: true });
    expect(reordered).toMatchObject({ accepted: 1, refused: null });
    expect(await counts(t.db)).toEqual(before);
  });

  it("refuses the reserved erased: prefix: neither a new member nor an erased member's tombstone (line, field, reason)", async () => {
    const { member } = await ensureMember(t.db, { externalId: "ob-gone" });
    await recordEvent(t.db, purchase("ob-gone", "ob-gone-p", 5_000), ACTOR);
    const erased = await eraseMember(
      t.db,
      { kind: "system", name: "test" },
      { memberId: member.id, reason: "asked to be forgotten" },
      { digest: erasedIdDigest },
    );
    const before = await counts(t.db);
    const lines = [HEADER, `${erased.externalId},10,2026-01-01,,ob-e1`, "Erased:999,10,2026-01-01,,ob-e2", "ob-gone,10,2026-01-01,,ob-e3"];
    for (const dryRun of [true, false]) {
      const report = await run(t.db, lines, { dryRun });
      expect(report.lines.map((l) => [l.line, l.kind, l.field, l.message])).toEqual([
        [2, "rejected", "externalId", "externalId must not start with erased: (reserved for erased members)"],
        [3, "rejected", "externalId", "externalId must not start with erased: (reserved for erased members)"],
      ]);
      // The old external id is free (docs/privacy.md): its line creates a new member.
      expect(report).toMatchObject({ rows: 3, accepted: 1, rejected: 2, membersCreated: 1 });
    }
    const after = await counts(t.db);
    expect(after.members! - before.members!).toBe(1);
    expect(await queryRows(t.db, sql`SELECT 1 FROM members WHERE external_id ILIKE 'erased:999'`)).toEqual([]);
    // The erased member's balance is what it was; the new ob-gone has only its line.
    expect(await balanceRow(t.db, erased.externalId)).toMatchObject({ available: 50, earned: 50 });
    expect(await balanceRow(t.db, "ob-gone")).toMatchObject({ available: 10, earned: 10 });
    await expectLedgerWhole(t.db);
  });

  it("is for admins only", async () => {
    const support = { kind: "user", id: "00000000-0000-4000-8000-000000000002", roles: ["support", "marketing"] } as const;
    const error = await run(t.db, FILE, { actor: support }).catch((e: unknown) => e);
    expect(codeOf(error)).toBe("forbidden");
    expect(codeOf(await run(t.db, FILE, { reason: " " }).catch((e: unknown) => e))).toBe("validation_failed");
  });

  it("imports many members in several batches, each batch one transaction, and the ledger agrees afterwards", async () => {
    const lines = [HEADER];
    for (let i = 0; i < 2_500; i++)
      lines.push(`ob-many-${i % 700},${(i % 50) + 1},2026-0${(i % 5) + 1}-1${i % 10}T0${i % 10}:00:00Z,${i % 3 === 0 ? "2026-06-01" : ""},ob-many-${i}`);
    const report = await run(t.db, lines, { batchSize: 400 });
    expect(report).toMatchObject({ rows: 2_500, accepted: 2_500, rejected: 0, membersCreated: 700 });
    // Rows with i % 3 === 0 expired on 2026-06-01, before NOW.
    expect(report.expired).toBe(834);
    const [sum] = await queryRows<{ balance: number; earned: number; lots: number }>(
      t.db,
      sql`SELECT sum(b.available_points)::int AS balance, sum(b.total_earned)::int AS earned,
                 (SELECT coalesce(sum(remaining), 0)::int FROM point_transactions t JOIN members m ON m.id = t.member_id WHERE m.external_id LIKE 'ob-many-%') AS lots
          FROM point_balances b JOIN members m ON m.id = b.member_id WHERE m.external_id LIKE 'ob-many-%'`,
    );
    expect(sum!.earned).toBe(report.points);
    expect(sum!.balance).toBe(report.points - report.expiredPoints);
    expect(sum!.lots).toBe(sum!.balance);
    await expectLedgerWhole(t.db);
  });
});
