import { and, desc, eq, gte, like, lt, or, type SQL } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { auditLog, type AuditEntry } from "@/db/schema";
import { actorLabel, authorize, type Actor } from "../access/staff-permissions";

export interface AuditRecord {
  actor: Actor | string;
  action: string;
  targetType: string;
  targetId: string | number;
  memberId?: number | null;
  reason?: string | null;
  before?: unknown;
  after?: unknown;
}

/** Appends one entry; call it with the transaction that makes the change, so both commit or neither. */
export async function writeAudit(ex: Executor, record: AuditRecord): Promise<AuditEntry> {
  const [entry] = await ex
    .insert(auditLog)
    .values({
      actor: typeof record.actor === "string" ? record.actor : actorLabel(record.actor),
      action: record.action,
      targetType: record.targetType,
      targetId: String(record.targetId),
      memberId: record.memberId ?? null,
      reason: record.reason ?? null,
      before: record.before ?? null,
      after: record.after ?? null,
    })
    .returning();
  return entry!;
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  /** Any action starting with one of these (an action family, lib/loyalty/audit/audit-families.ts). */
  actionPrefixes?: readonly string[];
  memberId?: number;
  from?: Date;
  /** Exclusive upper bound. */
  to?: Date;
}

export interface AuditPage {
  items: AuditEntry[];
  nextCursor: number | null;
}

export const AUDIT_PAGE_MAX = 200;

/**
 * Newest first, keyset on id (ids follow insertion order). Each single filter has an index whose
 * order matches: (actor, id desc), (member_id, id desc) and the primary key for the rest.
 */
export async function queryAudit(ex: Executor, filter: AuditFilter, page: { cursor?: number | null; limit?: number } = {}): Promise<AuditPage> {
  const limit = Math.min(Math.max(page.limit ?? 50, 1), AUDIT_PAGE_MAX);
  const conditions: SQL[] = [];
  if (filter.actor) conditions.push(eq(auditLog.actor, filter.actor));
  if (filter.action) conditions.push(eq(auditLog.action, filter.action));
  if (filter.actionPrefixes?.length) {
    // Prefixes come from a fixed list, but escape LIKE's wildcards anyway ("api_key." holds one).
    const escaped = filter.actionPrefixes.map((p) => like(auditLog.action, `${p.replace(/[\\%_]/g, "\\$&")}%`));
    conditions.push(or(...escaped)!);
  }
  if (filter.memberId !== undefined) conditions.push(eq(auditLog.memberId, filter.memberId));
  if (filter.from) conditions.push(gte(auditLog.createdAt, filter.from));
  if (filter.to) conditions.push(lt(auditLog.createdAt, filter.to));
  if (page.cursor) conditions.push(lt(auditLog.id, page.cursor));
  const rows = await ex
    .select()
    .from(auditLog)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(desc(auditLog.id))
    .limit(limit + 1);
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.id : null };
}

/** The audit page (admins). */
export async function listAudit(ex: Executor, actor: Actor, filter: AuditFilter, page: { cursor?: number | null; limit?: number } = {}): Promise<AuditPage> {
  authorize(actor, "audit:read");
  return queryAudit(ex, filter, page);
}

/** One member's entries, for the support agent on that member's page. */
export async function listMemberAudit(ex: Executor, actor: Actor, memberId: number, page: { cursor?: number | null; limit?: number } = {}): Promise<AuditPage> {
  authorize(actor, "members:support");
  return queryAudit(ex, { memberId }, page);
}
