import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { connectPostgres, queryRows, type DbHandle } from "@/db/client";
import { recordEvents } from "@/lib/loyalty/accrual/record-events";
import { adjustPoints } from "@/lib/loyalty/adjustments/adjust-points";
import { writeAudit } from "@/lib/loyalty/audit/audit-log";
import { expirePoints } from "@/lib/loyalty/jobs/expire-points";
import { verifyChains } from "@/lib/loyalty/jobs/verify-chains";
import { redeemPoints } from "@/lib/loyalty/redemption/redeem-points";
import { verifyLedger } from "@/lib/loyalty/jobs/verify-ledger";
import { adminUrl } from "../../support/database-url";
import { createTestDatabase, type TestDatabase } from "../../support/test-database";
import { ACTOR, newMember, purchase, refusal } from "../support/ledger";

/** A login role of the cluster in the app's group role loyalty_app (created by drizzle/0015), as a deployment would make. */
const LOGIN = "loyalty_app_test_login";

async function ensureLoginRole() {
  const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`DO $$ BEGIN
      CREATE ROLE ${LOGIN} LOGIN IN ROLE loyalty_app;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`);
  } finally {
    await admin.end();
  }
}

/**
 * The app's role may only read and append the ledger and the audit log, and change a lot's
 * remaining: what it is refused is refused by privileges, before any trigger. And the app's own
 * writes all work under that role.
 */
describe("the app role loyalty_app", () => {
  let t: TestDatabase;
  let app: DbHandle;
  beforeAll(async () => {
    t = await createTestDatabase();
    await ensureLoginRole();
    const url = new URL(t.url);
    url.username = LOGIN;
    app = connectPostgres(url.toString(), { max: 4 });
  });
  afterAll(async () => {
    await app.close();
    await t.drop();
  });

  it("runs the app's writes: members, accrual, refunds, redemption, adjustment with its audit entry, expiry", async () => {
    const db = app.db;
    const [{ user }] = (await queryRows<{ user: string }>(db, sql`SELECT current_user AS user`)) as [{ user: string }];
    expect(user).toBe(LOGIN);
    const member = await newMember(db, "role-1");
    await recordEvents(db, [purchase("role-1", "role-o1", 10_000), purchase("role-1", "role-o2", 5_000, "2025-01-01T00:00:00.000Z")], ACTOR);
    await recordEvents(db, [{ type: "refund", memberExternalId: "role-1", referenceId: "role-f1", originalReferenceId: "role-o1", amountCents: 2_000 }], ACTOR);
    await redeemPoints(db, { memberId: member.id, points: 30, referenceId: "role-r1" }, ACTOR);
    await adjustPoints(db, { memberId: member.id, points: -5, reason: "test", referenceId: "role-a1" }, ACTOR);
    await writeAudit(db, { actor: "test", action: "probe", targetType: "x", targetId: 1 });
    await expirePoints(db, { now: new Date("2026-06-01T00:00:00.000Z") });
    // Checked as the owner: everything the app wrote is consistent and chained.
    expect((await verifyLedger(t.db)).discrepancies).toEqual([]);
    expect(await verifyChains(t.db)).toEqual([]);
    // The one column it may change.
    const [lot] = await queryRows<{ id: string }>(db, sql`SELECT id FROM point_transactions WHERE remaining > 0 LIMIT 1`);
    expect(await refusal(db.execute(sql`UPDATE point_transactions SET remaining = remaining WHERE id = ${Number(lot!.id)}`))).toBe("not refused");
  });

  it("is refused DELETE, UPDATE of any other column and TRUNCATE of the ledger and the audit log, by privileges", async () => {
    const refused = [
      sql`DELETE FROM point_transactions`,
      sql`UPDATE point_transactions SET description = 'x'`,
      sql`UPDATE point_transactions SET created_by = 'x'`,
      sql`UPDATE point_transactions SET amount = amount`,
      sql`UPDATE point_transactions SET row_hash = NULL`,
      sql`TRUNCATE point_transactions CASCADE`,
      sql`DELETE FROM lot_allocations`,
      sql`UPDATE lot_allocations SET points = points`,
      sql`TRUNCATE lot_allocations`,
      sql`DELETE FROM audit_log`,
      sql`UPDATE audit_log SET reason = 'x'`,
      sql`TRUNCATE audit_log`,
      // A link is never the app's: it may not name the chain columns of a new row (ledger_append,
      // run as the owner, links the batch path's rows; the row trigger every other row).
      sql`INSERT INTO point_transactions (member_id, type, amount, reference_type, reference_id, expires_at, remaining, chain_seq, prev_hash, row_hash)
          SELECT member_id, 'earn', 1, 'purchase', 'role-forged', now() + interval '1 year', 1, 99, NULL, NULL FROM point_balances LIMIT 1`,
      sql`INSERT INTO point_transactions (member_id, type, amount, reference_type, reference_id, expires_at, remaining, prev_hash)
          SELECT member_id, 'earn', 1, 'purchase', 'role-forged', now() + interval '1 year', 1, sha256('x') FROM point_balances LIMIT 1`,
      // The chain heads are the triggers' and ledger_append's alone.
      sql`UPDATE point_balances SET chain_seq = 0`,
      sql`UPDATE point_balances SET chain_head = NULL`,
      sql`DELETE FROM point_balances`,
      sql`UPDATE audit_log_chain_head SET chain_seq = 0`,
      // Nor can it switch the triggers off.
      sql`SET session_replication_role = replica`,
      sql`ALTER TABLE point_transactions DISABLE TRIGGER point_transactions_append_only`,
    ];
    for (const statement of refused) {
      expect(await refusal(app.db.execute(statement))).toMatch(/permission denied|must be owner/);
    }
    expect(await verifyChains(t.db)).toEqual([]);
  });
});
