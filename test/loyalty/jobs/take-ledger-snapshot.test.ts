import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import { ledgerSnapshots, members, pointBalances, pointTransactions } from "@/db/schema";
import { recordEvent } from "@/lib/loyalty/accrual/record-events";
import { adjustPoints } from "@/lib/loyalty/adjustments/adjust-points";
import { takeLedgerSnapshot } from "@/lib/loyalty/jobs/take-ledger-snapshot";
import { ensureMember } from "@/lib/loyalty/members/ensure-member";
import { redeemPoints } from "@/lib/loyalty/redemption/redeem-points";
import { liabilityAt, membersPerTier } from "@/lib/loyalty/reports/program-reports";
import { createTestDatabase, type TestDatabase } from "../../support/test-database";
import { admin } from "../support/actors";

const pause = () => new Promise((resolve) => setTimeout(resolve, 15));

describe("liability and tier counts from the nightly ledger snapshot", () => {
  let t: TestDatabase;
  let aliceId: number;
  const instants: Date[] = [];
  let order = 0;

  /** The definition the snapshot arithmetic must agree with, by brute force over every row. */
  const bruteForce = async (at: Date | string) => {
    const [row] = await queryRows<{ points: unknown }>(
      t.db,
      sql`SELECT coalesce(sum(amount), 0) AS points FROM point_transactions WHERE created_at <= ${typeof at === "string" ? at : at.toISOString()}::timestamptz`,
    );
    return Number(row!.points);
  };
  const mark = async () => {
    await pause();
    instants.push(new Date());
    await pause();
  };
  const purchase = (externalId: string, amountCents: number) =>
    recordEvent(t.db, { type: "purchase", memberExternalId: externalId, referenceId: `o-${order++}`, amountCents }, { actor: "api:test" });
  const expectAllInstantsAgree = async () => {
    for (const at of [...instants, new Date(Date.now() + 60_000)]) {
      expect([at.toISOString(), (await liabilityAt(t.db, admin, at)).points]).toEqual([at.toISOString(), await bruteForce(at)]);
    }
  };

  beforeAll(async () => {
    t = await createTestDatabase();
    aliceId = (await ensureMember(t.db, { externalId: "alice" })).member.id;
    await ensureMember(t.db, { externalId: "bob" });
    await mark();
    await purchase("alice", 12_300);
    await mark();
    await purchase("bob", 4_500);
    await redeemPoints(t.db, { memberId: aliceId, points: 23, referenceId: "r-1" }, { actor: "api:test" });
    await mark();
  });
  afterAll(() => t.drop());

  it("without any snapshot, reads the current balances minus later rows and counts members live", async () => {
    expect(await t.db.$count(ledgerSnapshots)).toBe(0);
    await expectAllInstantsAgree();
    expect(await membersPerTier(t.db, admin)).toMatchObject({
      asOf: null,
      tiers: [
        { tier: "bronze", members: 2 },
        { tier: "silver", members: 0 },
        { tier: "gold", members: 0 },
      ],
    });
  });

  it("takes one snapshot per job run whose liability is the ledger sum up to its cut; a rerun adds nothing", async () => {
    const now = new Date();
    const first = await takeLedgerSnapshot(t.db, { now });
    expect(first).toMatchObject({ created: true, liability: 123 + 45 - 23, members: 2 });
    expect(await takeLedgerSnapshot(t.db, { now })).toEqual({ ...first, created: false });
    expect(await t.db.$count(ledgerSnapshots)).toBe(1);
    const [row] = await queryRows<{ taken_at: string; liability: unknown }>(t.db, sql`SELECT taken_at::text, liability FROM ledger_snapshots`);
    expect(Number(row!.liability)).toBe(await bruteForce(row!.taken_at));
  });

  it("adds the rows booked after the snapshot, and falls back for instants before it", async () => {
    await mark();
    await purchase("alice", 7_700);
    await adjustPoints(t.db, { memberId: aliceId, points: -5, reason: "goodwill reversed", referenceId: "adj-1" }, { actor: "user:u-support" });
    await mark();
    await purchase("bob", 1_000);
    await mark();
    await expectAllInstantsAgree();
    // Prove the snapshot is what is read after it (and not before): skew its row and watch.
    await t.db.execute(sql`UPDATE ledger_snapshots SET liability = liability + 1000`);
    const after = instants.at(-1)!;
    expect((await liabilityAt(t.db, admin, after)).points).toBe((await bruteForce(after)) + 1000);
    expect((await liabilityAt(t.db, admin, instants[0]!)).points).toBe(await bruteForce(instants[0]!));
    await t.db.execute(sql`UPDATE ledger_snapshots SET liability = liability - 1000`);
  });

  it("reports tier counts as of the snapshot, not the live table", async () => {
    await t.db.update(members).set({ tier: "gold" }).where(eq(members.id, aliceId));
    const counts = await membersPerTier(t.db, admin);
    const [snapshot] = await t.db.select().from(ledgerSnapshots);
    expect(counts).toEqual({
      asOf: snapshot!.takenAt.toISOString(),
      tiers: [
        { tier: "bronze", members: 2 },
        { tier: "silver", members: 0 },
        { tier: "gold", members: 0 },
      ],
    });
    await takeLedgerSnapshot(t.db, { now: new Date() });
    expect((await membersPerTier(t.db, admin)).tiers).toEqual([
      { tier: "bronze", members: 1 },
      { tier: "silver", members: 0 },
      { tier: "gold", members: 1 },
    ]);
  });

  it("counts a write that was in flight while the snapshot was taken exactly once", async () => {
    const writer = t.connect(1).db;
    let commit!: () => void;
    const gate = new Promise<void>((resolve) => (commit = resolve));
    let inserted!: () => void;
    const written = new Promise<void>((resolve) => (inserted = resolve));
    const inFlight = writer.transaction(async (tx) => {
      await tx.insert(pointTransactions).values({
        memberId: aliceId,
        type: "earn",
        amount: 333,
        remaining: 333,
        referenceType: "purchase",
        referenceId: "in-flight",
        spendAmount: 33_300,
        occurredAt: new Date(),
        expiresAt: new Date(Date.now() + 365 * 86_400_000),
      });
      await tx
        .update(pointBalances)
        .set({ availablePoints: sql`${pointBalances.availablePoints} + 333` })
        .where(eq(pointBalances.memberId, aliceId));
      inserted();
      await gate;
    });
    await written;
    await pause();
    const snapshot = await takeLedgerSnapshot(t.db, { now: new Date() });
    commit();
    await inFlight;
    await mark();
    const [row] = await queryRows<{ taken_at: string; liability: unknown }>(
      t.db,
      sql`SELECT taken_at::text, liability FROM ledger_snapshots WHERE taken_at = (SELECT max(taken_at) FROM ledger_snapshots)`,
    );
    expect(Number(row!.liability)).toBe(snapshot.liability);
    expect(snapshot.liability).toBe(await bruteForce(row!.taken_at));
    await expectAllInstantsAgree();
  });
});
