import { afterAll, beforeAll, expect } from "vitest";
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { recordEvent } from "@/lib/loyalty/accrual/record-events";
import { isLoyaltyError } from "@/lib/loyalty/errors";
import type { LoyaltyEvent } from "@/lib/loyalty/accrual/event-input";
import { ensureMember } from "@/lib/loyalty/members/ensure-member";
import { verifyChains } from "@/lib/loyalty/jobs/verify-chains";
import { verifyLedger } from "@/lib/loyalty/jobs/verify-ledger";
import { createTestDatabase, type TestDatabase } from "../../support/test-database";

export const ACTOR = { actor: "test:ledger" };
/** The ledger suites' clock. */
export const NOW = new Date("2026-06-15T12:00:00.000Z");

/**
 * A fresh database for the enclosing describe block (filled in by its beforeAll). When the block
 * ends, the ledger's invariants and verifyLedger must find nothing wrong with what its tests left.
 */
export function useLedgerDatabase(): TestDatabase {
  const t = {} as TestDatabase;
  beforeAll(async () => {
    Object.assign(t, await createTestDatabase());
  });
  afterAll(async () => {
    expect(await invariantViolations(t.db)).toEqual([]);
    expect((await verifyLedger(t.db)).discrepancies).toEqual([]);
    // Every row the suite wrote is linked into its member's hash chain, and every audit entry into its chain.
    expect(await verifyChains(t.db)).toEqual([]);
    await t.drop();
  });
  return t;
}

export const purchase = (member: string, ref: string, amountCents: number, occurredAt?: string): LoyaltyEvent => ({
  type: "purchase",
  memberExternalId: member,
  referenceId: ref,
  amountCents,
  ...(occurredAt ? { occurredAt } : {}),
});

export const refund = (member: string, ref: string, original: string, amountCents: number): LoyaltyEvent => ({
  type: "refund",
  memberExternalId: member,
  referenceId: ref,
  originalReferenceId: original,
  amountCents,
});

/** A purchase worth exactly `points` (at 1 point per currency unit), recorded at NOW. */
export const earn = (db: Db, member: string, ref: string, points: number, occurredAt?: string) =>
  recordEvent(db, purchase(member, ref, points * 100, occurredAt), { ...ACTOR, now: NOW });

/** The database's message of a refused statement (Drizzle wraps it as the cause of its own error). */
export async function refusal(statement: Promise<unknown>): Promise<string> {
  const error = await statement.then(
    () => null,
    (e: unknown) => e as Error & { cause?: Error },
  );
  return error ? (error.cause?.message ?? error.message) : "not refused";
}

/** The LoyaltyError code of a rejection (anything else is returned as is, to fail the comparison). */
export const codeOf = (error: unknown) => (isLoyaltyError(error) ? error.code : error);

export async function newMember(db: Db, externalId: string) {
  return (await ensureMember(db, { externalId })).member;
}

export async function balanceOf(db: Db, memberId: number): Promise<number> {
  const [row] = await queryRows<{ p: string }>(db, sql`SELECT available_points AS p FROM point_balances WHERE member_id = ${memberId}`);
  return Number(row!.p);
}

/** Open lots of a member as plain numbers, FIFO order. */
export async function lotsOf(db: Db, memberId: number) {
  const rows = await queryRows<{ id: string; amount: string; remaining: string; expires_at: string }>(
    db,
    sql`SELECT id, amount, remaining, expires_at FROM point_transactions
        WHERE member_id = ${memberId} AND remaining IS NOT NULL ORDER BY expires_at, id`,
  );
  return rows.map((r) => ({ id: Number(r.id), amount: Number(r.amount), remaining: Number(r.remaining), expiresAt: new Date(r.expires_at) }));
}

/**
 * The ledger's invariants, checked independently of verifyLedger: cached balance = SUM(amount),
 * every lot's remaining within 0..amount, the open lots adding up to max(0, balance).
 */
export async function invariantViolations(db: Db, memberIds?: readonly number[]): Promise<unknown[]> {
  const only = memberIds && memberIds.length > 0 ? sql`AND b.member_id IN ${memberIds}` : sql``;
  return queryRows(
    db,
    sql`SELECT b.member_id, b.available_points, l.sum_amount, l.open, l.bad
        FROM point_balances b
        LEFT JOIN (SELECT member_id, sum(amount) AS sum_amount,
                          coalesce(sum(remaining) FILTER (WHERE remaining > 0), 0) AS open,
                          count(*) FILTER (WHERE remaining < 0 OR remaining > amount) AS bad
                   FROM point_transactions GROUP BY member_id) l ON l.member_id = b.member_id
        WHERE (b.available_points <> coalesce(l.sum_amount, 0)
           OR coalesce(l.open, 0) <> greatest(0, b.available_points)
           OR coalesce(l.bad, 0) > 0) ${only}`,
  );
}

export const day = (iso: string) => new Date(`${iso}T12:00:00.000Z`);
