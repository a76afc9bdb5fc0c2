import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql, type SQL } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { PG_SERIALIZATION_FAILURE, pgErrorOf } from "@/db/errors";
import { insertLedgerRows } from "@/db/queries/ledger-rows";
import { recordEvents } from "@/lib/loyalty/accrual/record-events";
import { adjustPoints } from "@/lib/loyalty/adjustments/adjust-points";
import { writeAudit } from "@/lib/loyalty/audit/audit-log";
import { verifyAuditChain, verifyChains, verifyLedgerChains, type ChainFinding } from "@/lib/loyalty/jobs/verify-chains";
import { redeemPoints } from "@/lib/loyalty/redemption/redeem-points";
import { createTestDatabase, type TestDatabase } from "../../support/test-database";
import { ACTOR, newMember, purchase, refusal } from "../support/ledger";

/**
 * Tamper evidence (docs/ledger.md): the guard refuses what the app could do, and what a superuser
 * does with the triggers off (`session_replication_role = replica`) is reported by the chains,
 * row by row.
 */
describe("ledger tamper evidence", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  /** As a superuser with every trigger off, as an intruder with the database's keys would. */
  const asSuperuserWithoutTriggers = (db: Db, statement: SQL) =>
    db.transaction(async (tx) => {
      await tx.execute(sql`SET LOCAL session_replication_role = replica`);
      await tx.execute(statement);
    });

  /** A member with `n` purchases (one statement: the batch path) and a redemption: n + 1 rows. */
  async function memberWithHistory(name: string, n = 4) {
    const member = await newMember(t.db, name);
    await recordEvents(
      t.db,
      Array.from({ length: n }, (_, i) => purchase(name, `${name}-o${i}`, 1_000 * (i + 1))),
      ACTOR,
    );
    await redeemPoints(t.db, { memberId: member.id, points: 5, referenceId: `${name}-r` }, ACTOR);
    const rows = await queryRows<{ id: string; chain_seq: string }>(
      t.db,
      sql`SELECT id, chain_seq FROM point_transactions WHERE member_id = ${member.id} ORDER BY chain_seq`,
    );
    return { id: member.id, rows: rows.map((r) => ({ id: Number(r.id), seq: Number(r.chain_seq) })) };
  }

  const findingsOf = async (memberId: number) => (await verifyLedgerChains(t.db, { chunkSize: 3 })).filter((f) => f.memberId === memberId);
  const finding = (f: Partial<ChainFinding>) => expect.objectContaining(f);

  it("chains every row of a member in order, across statements, and finds nothing on an untouched ledger", async () => {
    const m = await memberWithHistory("tmp-clean");
    expect(m.rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    await adjustPoints(t.db, { memberId: m.id, points: 3, reason: "goodwill", referenceId: "tmp-clean-adj" }, ACTOR);
    const [head] = await queryRows<{ chain_seq: string; linked: boolean }>(
      t.db,
      sql`SELECT b.chain_seq, b.chain_head = t.row_hash AS linked FROM point_balances b
          JOIN point_transactions t ON t.member_id = b.member_id AND t.chain_seq = b.chain_seq WHERE b.member_id = ${m.id}`,
    );
    expect(head).toEqual({ chain_seq: "6", linked: true });
    expect(await verifyChains(t.db)).toEqual([]);
  });

  it("a replay skipped by ON CONFLICT leaves no hole in the chain", async () => {
    const m = await memberWithHistory("tmp-replay", 2);
    await recordEvents(t.db, [purchase("tmp-replay", "tmp-replay-o0", 1_000), purchase("tmp-replay", "tmp-replay-new", 700)], ACTOR);
    expect(await findingsOf(m.id)).toEqual([]);
  });

  it("a batch links its rows after the head in one statement and moves the head, even when the member's figures do not change", async () => {
    const m = await memberWithHistory("tmp-net0", 1);
    await recordEvents(
      t.db,
      [
        purchase("tmp-net0", "tmp-net0-o1", 1_000),
        { type: "refund", memberExternalId: "tmp-net0", referenceId: "tmp-net0-f1", originalReferenceId: "tmp-net0-o1", amountCents: 1_000 },
      ],
      ACTOR,
    );
    const rows = await queryRows<{ reference_id: string; chain_seq: string; head: string; linked: boolean }>(
      t.db,
      sql`SELECT t.reference_id, t.chain_seq, b.chain_seq AS head, b.chain_head = t.row_hash AS linked
          FROM point_transactions t JOIN point_balances b ON b.member_id = t.member_id WHERE t.member_id = ${m.id} ORDER BY t.chain_seq`,
    );
    // The plan's order (the purchase before its refund), after the two earlier rows; the head names the refund.
    expect(rows.map((r) => [r.reference_id, Number(r.chain_seq)])).toEqual([
      ["tmp-net0-o0", 1],
      ["tmp-net0-r", 2],
      ["tmp-net0-o1", 3],
      ["tmp-net0-f1", 4],
    ]);
    expect(rows[3]).toMatchObject({ head: "4", linked: true });
    expect(await findingsOf(m.id)).toEqual([]);
  });

  it("a batch whose reference another transaction took is refused whole: no row, no hole, nothing moved", async () => {
    const m = await memberWithHistory("tmp-taken", 1);
    const ids = (await queryRows<{ id: string }>(t.db, sql`SELECT nextval('point_transactions_id_seq'::regclass)::text AS id FROM generate_series(1, 2)`)).map(
      (r) => Number(r.id),
    );
    const lot = (id: number, referenceId: string) => ({
      id,
      memberId: m.id,
      type: "earn" as const,
      amount: 10,
      referenceType: "purchase",
      referenceId,
      occurredAt: new Date(),
      expiresAt: new Date(Date.now() + 365 * 86_400_000),
      remaining: 10,
    });
    const points = { points: 20, earned: 20, redeemed: 0, spend: 0 };
    const attempt = t.db.transaction((tx) =>
      insertLedgerRows(tx, [lot(ids[0]!, "tmp-taken-o0"), lot(ids[1]!, "tmp-taken-new")], { balanceChanges: new Map([[m.id, points]]) }),
    );
    expect(
      pgErrorOf(
        await attempt.then(
          () => null,
          (e: unknown) => e,
        ),
      )?.code,
    ).toBe(PG_SERIALIZATION_FAILURE);
    const [after] = await queryRows<{ n: string; head: string }>(
      t.db,
      sql`SELECT (SELECT count(*) FROM point_transactions WHERE member_id = ${m.id}) AS n, chain_seq AS head FROM point_balances WHERE member_id = ${m.id}`,
    );
    expect(after).toEqual({ n: "2", head: "2" });
    expect(await findingsOf(m.id)).toEqual([]);
  });

  it("the guard refuses rewriting any column but remaining (description, created_by and the chain included), even for the owner", async () => {
    const m = await memberWithHistory("tmp-guard", 1);
    const id = m.rows[0]!.id;
    for (const change of [sql`description = 'rewritten'`, sql`created_by = 'someone else'`, sql`request_fingerprint = 'x'`, sql`row_hash = NULL`]) {
      expect(await refusal(t.db.execute(sql`UPDATE point_transactions SET ${change} WHERE id = ${id}`))).toMatch(/append-only/);
    }
    expect(await findingsOf(m.id)).toEqual([]);
  });

  it("reports a row edited with the triggers off, and only that row", async () => {
    const m = await memberWithHistory("tmp-edit");
    const target = m.rows[1]!;
    await asSuperuserWithoutTriggers(t.db, sql`UPDATE point_transactions SET description = 'nothing to see' WHERE id = ${target.id}`);
    expect(await findingsOf(m.id)).toEqual([finding({ kind: "edited", rowId: target.id, seqFrom: 2, seqTo: 2 })]);
  });

  it("reports an edited amount whose hash was recomputed too: the next row links to the old version", async () => {
    const m = await memberWithHistory("tmp-rehash");
    const target = m.rows[2]!;
    await asSuperuserWithoutTriggers(t.db, sql`UPDATE point_transactions t SET amount = amount + 100, remaining = remaining + 100 WHERE id = ${target.id}`);
    await asSuperuserWithoutTriggers(
      t.db,
      sql`UPDATE point_transactions t SET row_hash = sha256(prev_hash || point_transaction_content(t)) WHERE id = ${target.id}`,
    );
    expect(await findingsOf(m.id)).toEqual([finding({ kind: "edited", rowId: target.id, seqFrom: 3, seqTo: 3 })]);
  });

  it("reports a deleted row by its position, between its neighbours", async () => {
    const m = await memberWithHistory("tmp-delete");
    const [, , gone, after] = m.rows;
    await asSuperuserWithoutTriggers(t.db, sql`DELETE FROM point_transactions WHERE id = ${gone!.id}`);
    expect(await findingsOf(m.id)).toEqual([finding({ kind: "deleted", rowId: after!.id, seqFrom: 3, seqTo: 3 })]);
  });

  it("reports a deleted last row against the head kept with the balance", async () => {
    const m = await memberWithHistory("tmp-tail");
    const last = m.rows[m.rows.length - 1]!;
    await asSuperuserWithoutTriggers(t.db, sql`DELETE FROM lot_allocations WHERE transaction_id = ${last.id}`);
    await asSuperuserWithoutTriggers(t.db, sql`DELETE FROM point_transactions WHERE id = ${last.id}`);
    expect(await findingsOf(m.id)).toEqual([finding({ kind: "deleted", rowId: null, seqFrom: 5, seqTo: 5 })]);
  });

  it("after the last row was deleted, the next batch links to the head kept with the balance: the deletion stays reported", async () => {
    const m = await memberWithHistory("tmp-tail-next");
    const last = m.rows[m.rows.length - 1]!;
    await asSuperuserWithoutTriggers(t.db, sql`DELETE FROM lot_allocations WHERE transaction_id = ${last.id}`);
    await asSuperuserWithoutTriggers(t.db, sql`DELETE FROM point_transactions WHERE id = ${last.id}`);
    await recordEvents(t.db, [purchase("tmp-tail-next", "tmp-tail-next-o9", 1_000)], ACTOR);
    const [next] = await queryRows<{ id: string; chain_seq: string }>(
      t.db,
      sql`SELECT id, chain_seq FROM point_transactions WHERE reference_id = 'tmp-tail-next-o9'`,
    );
    expect(next!.chain_seq).toBe("6");
    expect(await findingsOf(m.id)).toEqual([finding({ kind: "deleted", rowId: Number(next!.id), seqFrom: 5, seqTo: 5 })]);
  });

  it("after the last row was deleted, a single-row write links to the head too, and moves it: the deletion stays reported", async () => {
    const m = await memberWithHistory("tmp-tail-single");
    const last = m.rows[m.rows.length - 1]!;
    await asSuperuserWithoutTriggers(t.db, sql`DELETE FROM lot_allocations WHERE transaction_id = ${last.id}`);
    await asSuperuserWithoutTriggers(t.db, sql`DELETE FROM point_transactions WHERE id = ${last.id}`);
    const adjusted = await adjustPoints(t.db, { memberId: m.id, points: 2, reason: "goodwill", referenceId: "tmp-tail-single-adj" }, ACTOR);
    const [row] = await queryRows<{ id: string; chain_seq: string; head: string }>(
      t.db,
      sql`SELECT t.id, t.chain_seq, b.chain_seq AS head FROM point_transactions t JOIN point_balances b ON b.member_id = t.member_id
          WHERE t.reference_type = 'adjustment' AND t.reference_id = 'tmp-tail-single-adj'`,
    );
    expect(row).toMatchObject({ chain_seq: "6", head: "6" });
    expect(adjusted).toBeTruthy();
    expect(await findingsOf(m.id)).toEqual([finding({ kind: "deleted", rowId: Number(row!.id), seqFrom: 5, seqTo: 5 })]);
  });

  it("reports an inserted row, unlinked or linked by hand past the head", async () => {
    const m = await memberWithHistory("tmp-insert", 2);
    const insert = (ref: string, chain: SQL) =>
      asSuperuserWithoutTriggers(
        t.db,
        sql`INSERT INTO point_transactions (member_id, type, amount, reference_type, reference_id, expires_at, remaining, chain_seq, prev_hash, row_hash)
            VALUES (${m.id}, 'earn', 1000, 'purchase', ${ref}, now() + interval '1 year', 1000, ${chain}) RETURNING id`,
      );
    await insert("tmp-insert-x", sql`NULL, NULL, NULL`);
    // A forger who knows the scheme: the next position, linked to the last row, with a correct hash.
    await insert("tmp-insert-y", sql`4, (SELECT row_hash FROM point_transactions WHERE member_id = ${m.id} AND chain_seq = 3), NULL`);
    await asSuperuserWithoutTriggers(
      t.db,
      sql`UPDATE point_transactions t SET row_hash = sha256(prev_hash || point_transaction_content(t)) WHERE reference_id = 'tmp-insert-y'`,
    );
    const ids = await queryRows<{ id: string; reference_id: string }>(
      t.db,
      sql`SELECT id, reference_id FROM point_transactions WHERE reference_id IN ('tmp-insert-x', 'tmp-insert-y')`,
    );
    const idOf = (ref: string) => Number(ids.find((r) => r.reference_id === ref)!.id);
    expect(await findingsOf(m.id)).toEqual([
      finding({ kind: "inserted", rowId: idOf("tmp-insert-x"), seqFrom: null }),
      finding({ kind: "inserted", rowId: idOf("tmp-insert-y"), seqFrom: 4, detail: "after the chain head" }),
    ]);
  });

  it("the audit log: created_at is the database's; an edited, deleted or inserted entry is reported", async () => {
    const entries = [];
    for (let i = 0; i < 4; i++) {
      entries.push(await writeAudit(t.db, { actor: "test", action: `probe.${i}`, targetType: "x", targetId: i }));
    }
    const [given] = await queryRows<{ id: string; created_at: string }>(
      t.db,
      sql`INSERT INTO audit_log (actor, action, target_type, target_id, created_at) VALUES ('test', 'backdated', 'x', '9', '2001-01-01') RETURNING id, created_at`,
    );
    expect(Math.abs(new Date(given!.created_at).getTime() - Date.now())).toBeLessThan(60_000);
    expect(await refusal(t.db.execute(sql`UPDATE audit_log SET reason = 'x' WHERE id = ${entries[0]!.id}`))).toMatch(/append-only/);
    expect(await verifyAuditChain(t.db)).toEqual([]);

    await asSuperuserWithoutTriggers(t.db, sql`UPDATE audit_log SET actor = 'someone else' WHERE id = ${entries[1]!.id}`);
    await asSuperuserWithoutTriggers(t.db, sql`DELETE FROM audit_log WHERE id = ${entries[2]!.id}`);
    await asSuperuserWithoutTriggers(t.db, sql`INSERT INTO audit_log (actor, action, target_type, target_id) VALUES ('intruder', 'forged', 'x', '0')`);
    const [forged] = await queryRows<{ id: string }>(t.db, sql`SELECT id FROM audit_log WHERE action = 'forged'`);
    const seqOf = async (id: number) => Number((await queryRows<{ s: string }>(t.db, sql`SELECT chain_seq AS s FROM audit_log WHERE id = ${id}`))[0]!.s);
    const editedSeq = await seqOf(entries[1]!.id);
    expect(await verifyAuditChain(t.db)).toEqual([
      finding({ chain: "audit", kind: "inserted", rowId: Number(forged!.id), seqFrom: null }),
      finding({ chain: "audit", kind: "edited", rowId: entries[1]!.id, seqFrom: editedSeq }),
      finding({ chain: "audit", kind: "deleted", rowId: entries[3]!.id, seqFrom: editedSeq + 1, seqTo: editedSeq + 1 }),
    ]);
  });

  it("a ledger row of a member without a balance row has no head to anchor it: reported", async () => {
    const [member] = await queryRows<{ id: string }>(t.db, sql`INSERT INTO members (external_id) VALUES ('tmp-nobalance') RETURNING id`);
    const memberId = Number(member!.id);
    const [row] = await queryRows<{ id: string }>(
      t.db,
      sql`INSERT INTO point_transactions (member_id, type, amount, reference_type, reference_id, expires_at, remaining)
          VALUES (${memberId}, 'earn', 1, 'purchase', 'tmp-nobalance-o', now() + interval '1 year', 1) RETURNING id`,
    );
    expect(await findingsOf(memberId)).toEqual([finding({ kind: "inserted", rowId: Number(row!.id), seqFrom: 1, detail: "after the chain head" })]);
  });
});
