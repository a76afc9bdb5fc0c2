import { and, eq, sql } from "drizzle-orm";
import { queryRows, type Db, type Tx } from "@/db/client";
import { lockBalances } from "@/db/queries/balances";
import { pgArray } from "@/db/queries/pg-array";
import { accounts, members, notifications, pointHolds, sessions, userRoles, users, type Member } from "@/db/schema";
import { writeAudit } from "../audit/audit-log";
import { LoyaltyError } from "../errors";
import { notifyMembersChanged } from "../ledger/members-changed";
import { checkReason } from "../adjustments/check-reason";
import { personalReplacements } from "./personal-data";
import { ERASED_ID_PREFIX, isReservedExternalId, tombstoneOf } from "../rules/erased-ids";
import { ERASED, mentions, pattern, redactEntry, type Replacement } from "../rules/redaction";
import { actorLabel, authorize, type Actor } from "../access/staff-permissions";

/**
 * Erasure of a member on request (issue 13, docs/privacy.md). One transaction under the member's
 * balance lock: the member's email and name are removed and its external id replaced by the
 * tombstone `erased:<member id>`; its account loses every personal field, its sessions, sign-in
 * methods and roles (the session version moves, so no cookie works any more); its inbox is
 * emptied and its live holds voided; every audit entry about it is redacted through
 * audit_log_redact(), which keeps the audit chain verifiable; webhook and dead-letter payloads
 * naming it are rewritten. The ledger is not touched: its rows stay under the member id for the
 * books, and the remaining points stay a liability until they expire or staff write them off
 * (docs/ledger.md, Erased members). A second erasure answers the first one and writes nothing.
 */

export { ERASED_ID_PREFIX, isReservedExternalId, tombstoneOf };

export interface ErasureResult {
  memberId: number;
  /** The tombstone now in place of the external id. */
  externalId: string;
  erasedAt: Date;
  /** True when the member was already erased: nothing was written. */
  alreadyErased: boolean;
  /** Audit entries redacted, sessions ended, holds voided, notifications deleted (by this erasure; 0 on a repeat). */
  auditEntriesRedacted: number;
  sessionsEnded: number;
  holdsVoided: number;
  notificationsDeleted: number;
  /** The balance the books keep under the member id (unchanged by the erasure). */
  balance: number;
}

export interface ErasureInput {
  /** The member, by id (console) or by the external id it had (API; a tombstone is accepted too). */
  memberId?: number;
  externalId?: string;
  reason: string;
}

export interface ErasureOptions {
  now?: Date;
  /**
   * The keyed digest of an external id (lib/privacy/erased-id-digest.ts): kept on the erased member
   * so that a repeated request naming the old external id answers the first erasure without the
   * id itself being kept. Passed in so the domain reads no secret.
   */
  digest: (externalId: string) => string;
}

async function findMember(tx: Tx, input: ErasureInput, digest: ErasureOptions["digest"]): Promise<Member> {
  if (input.memberId !== undefined) {
    const [m] = await tx.select().from(members).where(eq(members.id, input.memberId)).limit(1);
    if (m) return m;
  } else if (input.externalId !== undefined) {
    // A live member with that external id comes first (one may have been created after an erasure).
    const [live] = await tx.select().from(members).where(eq(members.externalId, input.externalId)).limit(1);
    if (live) return live;
    const [erased] = await tx
      .select()
      .from(members)
      .where(eq(members.erasedIdDigest, digest(input.externalId)))
      .orderBy(members.id)
      .limit(1);
    if (erased) return erased;
  }
  throw new LoyaltyError("member_not_found", "No such member.", { field: input.memberId !== undefined ? "memberId" : "externalId" });
}

interface AuditRow {
  id: string | number;
  actor: string;
  target_id: string;
  reason: string | null;
  before: unknown;
  after: unknown;
}

/**
 * Every audit entry about the member or its account: by member id, by the account (as actor, target
 * or `userId`), or naming its email anywhere or its external id as a token. One scan of the log:
 * erasures are rare, and a personal value may sit in any entry's text.
 */
async function auditEntriesAbout(tx: Tx, member: Member, userId: string | null, emails: string[]): Promise<AuditRow[]> {
  const needles = [...emails.map((e) => pattern(e)), pattern(member.externalId, "token")];
  return queryRows<AuditRow>(
    tx,
    sql`SELECT id, actor, target_id, reason, before, after FROM audit_log a
        WHERE a.action <> 'audit.redact' AND (
          a.member_id = ${member.id}
          OR (${userId}::text IS NOT NULL AND (a.actor = 'user:' || ${userId}::text OR (a.target_type = 'user' AND a.target_id = ${userId}::text)
                                              OR a.after->>'userId' = ${userId}::text OR a.before->>'userId' = ${userId}::text))
          OR EXISTS (SELECT 1 FROM unnest(${pgArray(needles)}::text[]) AS n(re)
                     WHERE concat_ws(' ', a.actor, a.target_id, a.reason, a.before::text, a.after::text) ~* n.re))
        ORDER BY a.id`,
  );
}

/** Rewrites every JSON string equal to one of the values, in one table's jsonb column. */
async function rewritePayloads(tx: Tx, table: "webhook_events" | "dead_letter_events", column: string, replacements: Replacement[]): Promise<void> {
  for (const r of replacements) {
    const from = JSON.stringify(r.value);
    await tx.execute(
      sql`UPDATE ${sql.identifier(table)} SET ${sql.identifier(column)} = replace(${sql.identifier(column)}::text, ${from}, ${JSON.stringify(r.by)})::jsonb
          WHERE strpos(${sql.identifier(column)}::text, ${from}) > 0`,
    );
  }
}

/**
 * The outbox's own writer, webhook_enqueue() (drizzle/0021: the event and one delivery per enabled
 * endpoint that wants the type, none when no endpoint does), called here rather than by a trigger:
 * an erasure is this one service, the only writer of erased_at.
 */
async function enqueueErased(tx: Tx, memberId: number, tombstone: string, erasedAt: Date): Promise<void> {
  const at = erasedAt.toISOString();
  const data = { memberId, memberExternalId: tombstone, referenceType: "member", referenceId: tombstone, points: 0, erasedAt: at, occurredAt: at };
  await tx.execute(sql`SELECT webhook_enqueue(ARRAY['member.erased']::text[], ARRAY[${JSON.stringify(data)}::jsonb])`);
}

export async function eraseMember(db: Db, actor: Actor, input: ErasureInput, options: ErasureOptions): Promise<ErasureResult> {
  authorize(actor, "members:erase");
  const reason = checkReason(input.reason);
  const now = options.now ?? new Date();
  const by = actorLabel(actor);
  const result = await db.transaction(async (tx) => {
    const found = await findMember(tx, input, options.digest);
    // The lock every writer of this member takes first; then the member row itself.
    const balances = await lockBalances(tx, [found.id]);
    const [member] = await tx.select().from(members).where(eq(members.id, found.id)).for("update");
    if (!member) throw new LoyaltyError("member_not_found", "No such member.");
    const balance = balances.get(member.id) ?? 0;
    if (member.erasedAt) {
      return {
        memberId: member.id,
        externalId: member.externalId,
        erasedAt: member.erasedAt,
        alreadyErased: true,
        auditEntriesRedacted: 0,
        sessionsEnded: 0,
        holdsVoided: 0,
        notificationsDeleted: 0,
        balance,
      } satisfies ErasureResult;
    }
    const [user] = await tx.select().from(users).where(eq(users.memberId, member.id)).limit(1);
    if (user) {
      const roles = await tx.select({ role: userRoles.role }).from(userRoles).where(eq(userRoles.userId, user.id));
      if (roles.some((r) => r.role !== "member")) {
        throw new LoyaltyError("conflict", "This member's account holds staff roles: remove them first, then erase the member.");
      }
    }
    const tombstone = tombstoneOf(member.id);
    const emails = [...new Set([member.email, user?.email].filter((e): e is string => !!e).map((e) => e.toLowerCase()))];
    const replacements = personalReplacements({ externalId: member.externalId, emails, names: [member.name, user?.name] }, tombstone);
    // The reason stays on the audit log for good: it must not carry what is being erased.
    if (mentions(reason, replacements)) {
      throw new LoyaltyError("validation_failed", "reason: must not contain the member's name, email or external id.", {
        field: "reason",
        details: { fieldErrors: { reason: ["Must not contain the member's name, email or external id."] } },
      });
    }

    // 1. The audit entries about the member, through the one function that may change them.
    const entries = await auditEntriesAbout(tx, member, user?.id ?? null, emails);
    let redacted = 0;
    for (const entry of entries) {
      const next = redactEntry({ actor: entry.actor, targetId: entry.target_id, reason: entry.reason, before: entry.before, after: entry.after }, replacements);
      const changed =
        next.actor !== entry.actor ||
        next.targetId !== entry.target_id ||
        next.reason !== entry.reason ||
        JSON.stringify(next.before) !== JSON.stringify(entry.before) ||
        JSON.stringify(next.after) !== JSON.stringify(entry.after);
      if (!changed) continue;
      await tx.execute(
        sql`SELECT audit_log_redact(${Number(entry.id)}::bigint, ${next.actor}, ${next.targetId}, ${next.reason},
                                    ${next.before === null ? null : JSON.stringify(next.before)}::jsonb,
                                    ${next.after === null ? null : JSON.stringify(next.after)}::jsonb,
                                    ${by}, ${`erasure of member ${member.id}`}, ${member.id}::bigint)`,
      );
      redacted++;
    }

    // 2. The member: a tombstone in place of the external id, no email or name.
    await tx
      .update(members)
      .set({ externalId: tombstone, email: null, name: null, erasedAt: now, erasedIdDigest: options.digest(member.externalId) })
      .where(eq(members.id, member.id));

    // 3. The account: nothing personal left, no way in, every session ended.
    let sessionsEnded = 0;
    if (user) {
      sessionsEnded = (await tx.delete(sessions).where(eq(sessions.userId, user.id)).returning({ t: sessions.sessionToken })).length;
      await tx.delete(accounts).where(eq(accounts.userId, user.id));
      await tx.delete(userRoles).where(eq(userRoles.userId, user.id));
      await tx.execute(sql`DELETE FROM verification_tokens WHERE identifier LIKE ${`%:${user.id}`} OR lower(identifier) = ANY(${pgArray(emails)}::text[])`);
      await tx
        .update(users)
        .set({
          name: null,
          email: null,
          emailVerified: null,
          image: null,
          passwordHash: null,
          totpSecret: null,
          totpEnabledAt: null,
          totpLastStep: null,
          totpRecoveryCodes: null,
          sessionVersion: sql`${users.sessionVersion} + 1`,
        })
        .where(eq(users.id, user.id));
    }

    // 4. The inbox goes; live holds are voided (their points stay in the balance, see docs/ledger.md).
    const notificationsDeleted = (await tx.delete(notifications).where(eq(notifications.memberId, member.id)).returning({ id: notifications.id })).length;
    const holdsVoided = (
      await tx
        .update(pointHolds)
        .set({ status: "voided", decidedAt: now })
        .where(and(eq(pointHolds.memberId, member.id), eq(pointHolds.status, "active")))
        .returning({ id: pointHolds.id })
    ).length;

    // 5. Outbox and dead-letter payloads that name the member.
    const exact = [
      { value: member.externalId, by: tombstone },
      ...[member.email, user?.email, member.name].filter((v): v is string => !!v).map((value) => ({ value, by: ERASED })),
    ];
    await rewritePayloads(tx, "webhook_events", "payload", exact);
    await rewritePayloads(tx, "dead_letter_events", "payload", exact);

    // 6. member.erased through the outbox (docs/webhooks.md): by member id and tombstone, nothing
    // personal, in this transaction, so it is sent if and only if the erasure committed, once.
    await enqueueErased(tx, member.id, tombstone, now);

    const out: ErasureResult = {
      memberId: member.id,
      externalId: tombstone,
      erasedAt: now,
      alreadyErased: false,
      auditEntriesRedacted: redacted,
      sessionsEnded,
      holdsVoided,
      notificationsDeleted,
      balance,
    };
    await writeAudit(tx, {
      actor,
      action: "member.erase",
      targetType: "member",
      targetId: member.id,
      memberId: member.id,
      reason,
      after: {
        externalId: tombstone,
        erasedAt: now.toISOString(),
        auditEntriesRedacted: redacted,
        sessionsEnded,
        holdsVoided,
        notificationsDeleted,
        balance,
        hadAccount: Boolean(user),
      },
    });
    return out;
  });
  if (!result.alreadyErased) await notifyMembersChanged([result.memberId]);
  return result;
}
