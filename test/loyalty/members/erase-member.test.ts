import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { members, notifications, userRoles, users } from "@/db/schema";
import { verifyCredentials } from "@/lib/auth/credentials";
import { hashPassword } from "@/lib/auth/password";
import { auditSignIn } from "@/lib/auth/sign-in-audit";
import { loadSessionUser } from "@/lib/auth/session-user";
import { memoryThrottle } from "@/lib/auth/sign-in-throttle";
import { recordEvent } from "@/lib/loyalty/accrual/record-events";
import { requestAdjustment } from "@/lib/loyalty/adjustments/adjustment-requests";
import { writeAudit } from "@/lib/loyalty/audit/audit-log";
import { auditExport } from "@/lib/loyalty/audit/audit-export";
import { isLoyaltyError } from "@/lib/loyalty/errors";
import { createHold } from "@/lib/loyalty/redemption/hold-points";
import { verifyChains } from "@/lib/loyalty/jobs/verify-chains";
import { eraseMember, tombstoneOf } from "@/lib/loyalty/members/erase-member";
import { exportMemberData, exportOwnData } from "@/lib/loyalty/members/export-member-data";
import { ensureMember } from "@/lib/loyalty/members/ensure-member";
import { redeemPoints } from "@/lib/loyalty/redemption/redeem-points";
import { liabilityAt } from "@/lib/loyalty/reports/program-reports";
import type { Actor } from "@/lib/loyalty/access/staff-permissions";
import { verifyLedger } from "@/lib/loyalty/jobs/verify-ledger";
import { erasedIdDigest } from "@/lib/privacy/erased-id-digest";
import { createWebhookEndpoint } from "@/lib/webhooks/endpoints";
import { createTestDatabase, type TestDatabase } from "../../support/test-database";

const admin: Actor = { kind: "user", id: "00000000-0000-4000-8000-0000000000ad", roles: ["admin"] };
const support: Actor = { kind: "user", id: "00000000-0000-4000-8000-00000000005a", roles: ["support"] };
const options = { digest: erasedIdDigest };

// Personal values distinctive enough to search the whole database for.
const EMAIL = "Zelda.Quartermain@example.org";
const NAME = "Zelda Quartermain";
const EXTERNAL_ID = "crm-zq-7731";
const PASSWORD = "a long enough passphrase";

/** Every text-like value of every table in the public schema that contains `needle` (case-insensitive). */
async function findEverywhere(t: TestDatabase, needle: string): Promise<string[]> {
  const columns = await queryRows<{ table_name: string; column_name: string }>(
    t.db,
    sql`SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'jsonb', 'json', 'ARRAY')
        ORDER BY table_name, column_name`,
  );
  const hits: string[] = [];
  for (const c of columns) {
    const [row] = await queryRows<{ n: number }>(
      t.db,
      sql`SELECT count(*)::int AS n FROM ${sql.identifier(c.table_name)} WHERE strpos(lower(${sql.identifier(c.column_name)}::text), lower(${needle})) > 0`,
    );
    if (row && row.n > 0) hits.push(`${c.table_name}.${c.column_name}: ${row.n}`);
  }
  return hits;
}

async function expectCode(promise: Promise<unknown>, code: string, field?: string) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(isLoyaltyError(error), String(error)).toBe(true);
  expect((error as { code: string }).code).toBe(code);
  if (field) expect((error as { field?: string }).field).toBe(field);
}

describe("member erasure (issue 13)", () => {
  let t: TestDatabase;
  let memberId: number;
  let userId: string;
  let other: number;

  beforeAll(async () => {
    t = await createTestDatabase();
    // An enabled endpoint, so the outbox holds events that name the member.
    await createWebhookEndpoint(t.db, { url: "https://hooks.example/privacy", eventTypes: null }, "test");
    const { member } = await ensureMember(t.db, { externalId: EXTERNAL_ID, email: EMAIL, name: NAME });
    memberId = member.id;
    other = (await ensureMember(t.db, { externalId: "crm-other-1", email: "other@example.org", name: "Other Person" })).member.id;
    const [user] = await t.db
      .insert(users)
      .values({ email: EMAIL.toLowerCase(), name: NAME, memberId, passwordHash: await hashPassword(PASSWORD) })
      .returning({ id: users.id });
    userId = user!.id;
    await t.db.insert(userRoles).values({ userId, role: "member" });

    const at = new Date();
    await recordEvent(t.db, { type: "purchase", memberExternalId: EXTERNAL_ID, referenceId: "zq-order-1", amountCents: 12_000 }, { actor: "api:shop" });
    await recordEvent(t.db, { type: "purchase", memberExternalId: "crm-other-1", referenceId: "other-order-1", amountCents: 5_000 }, { actor: "api:shop" });
    await recordEvent(t.db, { type: "login", memberExternalId: EXTERNAL_ID, referenceId: "zq-login-1" }, { actor: "api:shop" });
    await redeemPoints(t.db, { memberExternalId: EXTERNAL_ID, points: 20, referenceId: "zq-redeem-1" }, { actor: "api:shop", now: at });
    await createHold(t.db, { memberExternalId: EXTERNAL_ID, points: 10, referenceId: "zq-hold-1" }, { actor: "api:shop", now: at });
    // A reason naming the member would stay in the ledger for good: refused. An older audit entry
    // that named them (as staff-typed text may) is what erasure must redact.
    await expectCode(
      requestAdjustment(t.db, support, { memberId, points: 5, reason: `Goodwill for ${NAME}`, referenceId: "zq-adj-0" }),
      "validation_failed",
      "reason",
    );
    await requestAdjustment(t.db, support, { memberId, points: 5, reason: "Goodwill, ticket 77", referenceId: "zq-adj-1" });
    await writeAudit(t.db, {
      actor: support,
      action: "member.note",
      targetType: "member",
      targetId: memberId,
      memberId,
      reason: `Call with ${NAME}`,
      after: { contact: EMAIL, ref: EXTERNAL_ID },
    });
    await t.db.insert(notifications).values({ memberId, kind: "expiry_reminder", thresholdDays: 30, expiresOn: "2030-01-01", points: 100 });
    // Sign-ins (the typed email is the entry's target), a statement export (the external id is its target).
    expect((await verifyCredentials(t.db, memoryThrottle(), { email: EMAIL, password: PASSWORD }, "203.0.113.9")).ok).toBe(true);
    await auditSignIn(t.db, EMAIL.toLowerCase(), "198.51.100.7", { outcome: "failure", userId });
    await auditExport(t.db, support, "statement", { table: "statement", member: EXTERNAL_ID });
  });
  afterAll(() => t?.drop());

  it("exports everything about the member, and audits the export", async () => {
    const data = await exportMemberData(t.db, support, { externalId: EXTERNAL_ID }, { channel: "console" });
    expect(data.member).toMatchObject({ id: memberId, externalId: EXTERNAL_ID, email: EMAIL, name: NAME, erasedAt: null });
    expect(data.account).toMatchObject({ id: userId, email: EMAIL.toLowerCase(), roles: ["member"], twoFactorEnabled: false });
    expect(JSON.stringify(data.account)).not.toMatch(/passwordHash|totp/);
    expect(data.transactions.map((r) => r.referenceId).sort()).toEqual(["zq-adj-1", "zq-login-1", "zq-order-1", "zq-redeem-1"].sort());
    expect(data.balance?.availablePoints).toBe(120 - 20 + 5 + (data.transactions.find((r) => r.referenceType === "login")?.amount ?? 0));
    expect(data.lots.reduce((s, l) => s + Number(l.remaining), 0)).toBe(data.balance?.availablePoints);
    expect(data.holds).toHaveLength(1);
    expect(data.holds[0]).toMatchObject({ points: 10, status: "active" });
    expect(data.notifications).toHaveLength(1);
    expect(data.checkIns).toHaveLength(1);
    const actions = data.auditEntries.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["points.adjust", "member.note", "auth.sign_in", "auth.sign_in_failed", "export.statement"]));
    expect(data.auditEntries.some((e) => e.memberId === memberId && e.reason === `Call with ${NAME}`)).toBe(true);
    // Nothing of another member.
    expect(JSON.stringify(data)).not.toContain("crm-other-1");
    const [entry] = await queryRows<{ actor: string; member_id: string; after: { via: string; transactions: number } }>(
      t.db,
      sql`SELECT actor, member_id, after FROM audit_log WHERE action = 'member.export' ORDER BY id DESC LIMIT 1`,
    );
    expect(entry).toMatchObject({ actor: `user:${support.kind === "user" ? support.id : ""}`, after: { via: "console", transactions: 4 } });
    expect(Number(entry!.member_id)).toBe(memberId);
  });

  it("gives a signed-in account its own member's data only (the portal's download), writing nothing", async () => {
    const [{ n: before }] = (await queryRows<{ n: number }>(t.db, sql`SELECT count(*)::int AS n FROM audit_log`)) as [{ n: number }];
    const own = await exportOwnData(t.db, { id: userId, memberId });
    expect(own.member).toMatchObject({ id: memberId, email: EMAIL });
    expect(own.account?.id).toBe(userId);
    expect(JSON.stringify(own)).not.toContain("crm-other-1");
    await expectCode(exportOwnData(t.db, { id: userId, memberId: null }), "member_not_found");
    const [{ n: after }] = (await queryRows<{ n: number }>(t.db, sql`SELECT count(*)::int AS n FROM audit_log`)) as [{ n: number }];
    expect(after).toBe(before);
  });

  it("refuses an export to a role or key without members:export", async () => {
    await expectCode(exportMemberData(t.db, { kind: "user", id: "m", roles: ["marketing"] }, { memberId }, { channel: "console" }), "forbidden");
    await expectCode(exportMemberData(t.db, { kind: "api", name: "reader", scopes: ["members:read"] }, { memberId }, { channel: "api" }), "forbidden");
  });

  it("refuses erasure to support, to keys without members:erase, without a reason, or with personal data in the reason; nothing changes", async () => {
    const before = await t.db
      .select()
      .from(members)
      .where(sql`id = ${memberId}`);
    await expectCode(eraseMember(t.db, support, { memberId, reason: "asked" }, options), "forbidden");
    await expectCode(
      eraseMember(t.db, { kind: "api", name: "crm", scopes: ["members:write", "members:export"] }, { memberId, reason: "asked" }, options),
      "forbidden",
    );
    await expectCode(eraseMember(t.db, admin, { memberId, reason: "   " }, options), "validation_failed", "reason");
    await expectCode(eraseMember(t.db, admin, { memberId, reason: `Request from ${EMAIL.toUpperCase()}` }, options), "validation_failed", "reason");
    await expectCode(eraseMember(t.db, admin, { memberId, reason: `zelda quartermain asked` }, options), "validation_failed", "reason");
    await expectCode(eraseMember(t.db, admin, { externalId: "crm-nobody", reason: "asked" }, options), "member_not_found");
    expect(
      await t.db
        .select()
        .from(members)
        .where(sql`id = ${memberId}`),
    ).toEqual(before);
  });

  it("refuses to erase a member whose account holds a staff role", async () => {
    const { member } = await ensureMember(t.db, { externalId: "crm-staff-1", email: "staffer@example.org" });
    const [u] = await t.db.insert(users).values({ email: "staffer@example.org", memberId: member.id }).returning({ id: users.id });
    await t.db.insert(userRoles).values([
      { userId: u!.id, role: "member" },
      { userId: u!.id, role: "support" },
    ]);
    await expectCode(eraseMember(t.db, admin, { memberId: member.id, reason: "asked" }, options), "conflict");
  });

  it("erases: no personal value is left anywhere in the database, the ledger and both chains still verify, liability is unchanged", async () => {
    const liabilityBefore = await liabilityAt(t.db, admin);
    const [ledgerBefore] = await queryRows<{ n: number; sum: string }>(
      t.db,
      sql`SELECT count(*)::int AS n, sum(amount)::text AS sum FROM point_transactions WHERE member_id = ${memberId}`,
    );
    const result = await eraseMember(t.db, admin, { externalId: EXTERNAL_ID, reason: "Erasure request, ticket 8812" }, options);
    expect(result).toMatchObject({ memberId, externalId: tombstoneOf(memberId), alreadyErased: false, holdsVoided: 1, notificationsDeleted: 1 });
    expect(result.auditEntriesRedacted).toBeGreaterThanOrEqual(4);
    expect(result.balance).toBe(Number(ledgerBefore!.sum));

    for (const needle of [EMAIL, NAME, EXTERNAL_ID, "Quartermain", "203.0.113.9", "198.51.100.7"]) {
      expect(await findEverywhere(t, needle), needle).toEqual([]);
    }
    // The other member is untouched.
    expect(await findEverywhere(t, "crm-other-1")).not.toEqual([]);

    const [m] = await t.db
      .select()
      .from(members)
      .where(sql`id = ${memberId}`);
    expect(m).toMatchObject({ externalId: `erased:${memberId}`, email: null, name: null });
    expect(m!.erasedAt).toBeInstanceOf(Date);
    expect(m!.erasedIdDigest).toBe(erasedIdDigest(EXTERNAL_ID));
    const [u] = await t.db
      .select()
      .from(users)
      .where(sql`id = ${userId}`);
    expect(u).toMatchObject({ email: null, name: null, passwordHash: null, totpSecret: null, memberId });
    expect(
      await t.db
        .select()
        .from(userRoles)
        .where(sql`user_id = ${userId}`),
    ).toEqual([]);

    // The books: every ledger row kept under the member id, the balance and the liability unchanged.
    const [ledgerAfter] = await queryRows<{ n: number; sum: string }>(
      t.db,
      sql`SELECT count(*)::int AS n, sum(amount)::text AS sum FROM point_transactions WHERE member_id = ${memberId}`,
    );
    expect(ledgerAfter).toEqual(ledgerBefore);
    expect((await liabilityAt(t.db, admin)).points).toBe(liabilityBefore.points);
    expect((await verifyLedger(t.db)).discrepancies).toEqual([]);
    expect(await verifyChains(t.db)).toEqual([]);

    // Who and why, without the personal data.
    const [entry] = await queryRows<{ actor: string; reason: string; target_id: string; after: Record<string, unknown> }>(
      t.db,
      sql`SELECT actor, reason, target_id, after FROM audit_log WHERE action = 'member.erase'`,
    );
    expect(entry).toMatchObject({
      actor: `user:${admin.kind === "user" ? admin.id : ""}`,
      reason: "Erasure request, ticket 8812",
      target_id: String(memberId),
    });
    const [{ n: redactions }] = (await queryRows<{ n: number }>(t.db, sql`SELECT count(*)::int AS n FROM audit_log WHERE action = 'audit.redact'`)) as [
      { n: number },
    ];
    expect(redactions).toBe(result.auditEntriesRedacted);
  });

  it("refuses sign-in and every session of the erased account", async () => {
    expect(await loadSessionUser(t.db, userId, 0)).toBeNull();
    expect(await loadSessionUser(t.db, userId, 1)).toBeNull();
    const [u] = await t.db
      .select({ v: users.sessionVersion })
      .from(users)
      .where(sql`id = ${userId}`);
    expect(u!.v).toBeGreaterThan(0);
    expect((await verifyCredentials(t.db, memoryThrottle(), { email: EMAIL, password: PASSWORD }, "203.0.113.10")).ok).toBe(false);
  });

  it("is idempotent: by the old external id, the tombstone or the member id it answers the first erasure and writes nothing", async () => {
    const [{ n: before }] = (await queryRows<{ n: number }>(t.db, sql`SELECT count(*)::int AS n FROM audit_log`)) as [{ n: number }];
    for (const input of [{ externalId: EXTERNAL_ID }, { externalId: tombstoneOf(memberId) }, { memberId }]) {
      const again = await eraseMember(t.db, admin, { ...input, reason: "again" }, options);
      expect(again).toMatchObject({ memberId, externalId: tombstoneOf(memberId), alreadyErased: true, auditEntriesRedacted: 0 });
    }
    const [{ n: after }] = (await queryRows<{ n: number }>(t.db, sql`SELECT count(*)::int AS n FROM audit_log`)) as [{ n: number }];
    expect(after).toBe(before);
  });

  it("takes no new events, redemptions or holds for the erased member; a new member may take the old external id", async () => {
    await expectCode(
      recordEvent(t.db, { type: "purchase", memberExternalId: tombstoneOf(memberId), referenceId: "zq-order-2", amountCents: 1_000 }, { actor: "api:shop" }),
      "member_not_found",
    );
    await expectCode(
      recordEvent(t.db, { type: "purchase", memberExternalId: EXTERNAL_ID, referenceId: "zq-order-3", amountCents: 1_000 }, { actor: "api:shop" }),
      "member_not_found",
    );
    await expectCode(
      redeemPoints(t.db, { memberExternalId: tombstoneOf(memberId), points: 1, referenceId: "zq-redeem-2" }, { actor: "api:shop" }),
      "member_not_found",
    );
    await expectCode(ensureMember(t.db, { externalId: "erased:999999" }), "validation_failed", "externalId");
    // A replay of an old event under the old external id, once someone new has it: never a second award.
    const { member: fresh, created } = await ensureMember(t.db, { externalId: EXTERNAL_ID });
    expect(created).toBe(true);
    expect(fresh.id).not.toBe(memberId);
    await expectCode(
      recordEvent(t.db, { type: "purchase", memberExternalId: EXTERNAL_ID, referenceId: "zq-order-1", amountCents: 12_000 }, { actor: "api:shop" }),
      "reference_conflict",
    );
    // Staff can still write the balance off by member id (docs/ledger.md, Erased members).
    const writeOff = await requestAdjustment(t.db, admin, {
      memberId,
      points: -5,
      reason: "Write-off of an erased member's balance",
      referenceId: "zq-writeoff",
    });
    expect(writeOff.status).toBe("posted");
    expect((await verifyLedger(t.db)).discrepancies).toEqual([]);
    expect(await verifyChains(t.db)).toEqual([]);
  });

  it("the audit chain still catches an edit of a redacted entry, and the app cannot forge a redaction record", async () => {
    const [redacted] = await queryRows<{ id: string }>(t.db, sql`SELECT target_id AS id FROM audit_log WHERE action = 'audit.redact' ORDER BY id LIMIT 1`);
    const refusal = (p: Promise<unknown>) =>
      p.then(
        () => "",
        (e: { cause?: { message?: string } }) => e.cause?.message ?? String(e),
      );
    expect(await refusal(t.db.execute(sql`UPDATE audit_log SET reason = 'x' WHERE id = ${Number(redacted!.id)}`))).toMatch(/append-only/);
    // Even with the setting the redaction function uses: only the function (as the table's owner) writes these.
    expect(
      await refusal(
        t.db.transaction(async (tx) => {
          await tx.execute(sql`SELECT set_config('loyalty.audit_redaction', ${redacted!.id}, true)`);
          await tx.execute(sql`SET LOCAL ROLE loyalty_app`);
          await tx.execute(sql`INSERT INTO audit_log (actor, action, target_type, target_id) VALUES ('x', 'audit.redact', 'audit_log', ${redacted!.id})`);
        }),
      ),
    ).toMatch(/audit_log_redact/);
    expect(
      await refusal(
        t.db.execute(sql`INSERT INTO audit_log (actor, action, target_type, target_id) VALUES ('x', 'audit.redact', 'audit_log', ${redacted!.id})`),
      ),
    ).toMatch(/audit_log_redact/);
    await t.db
      .transaction(async (tx) => {
        await tx.execute(sql`SET LOCAL session_replication_role = replica`);
        await tx.execute(sql`UPDATE audit_log SET target_id = 'tampered' WHERE id = ${Number(redacted!.id)}`);
        const findings = await verifyChains(tx);
        expect(findings).toEqual([expect.objectContaining({ chain: "audit", kind: "edited", rowId: Number(redacted!.id) })]);
        tx.rollback();
      })
      .catch((e: unknown) => {
        if (!(e instanceof Error && /rollback/i.test(e.message))) throw e;
      });
    expect(await verifyChains(t.db)).toEqual([]);
  });

  it("the erased member's export holds no personal data", async () => {
    const data = await exportMemberData(t.db, admin, { memberId }, { channel: "console" });
    expect(data.member).toMatchObject({ externalId: tombstoneOf(memberId), email: null, name: null });
    const text = JSON.stringify(data);
    for (const needle of [EMAIL.toLowerCase(), NAME.toLowerCase(), EXTERNAL_ID]) expect(text.toLowerCase()).not.toContain(needle);
    expect(data.transactions.length).toBeGreaterThanOrEqual(4);
  });

  it("leaves the other member alone", async () => {
    const [o] = await t.db
      .select()
      .from(members)
      .where(sql`id = ${other}`);
    expect(o).toMatchObject({ externalId: "crm-other-1", email: "other@example.org", name: "Other Person", erasedAt: null });
  });
});
