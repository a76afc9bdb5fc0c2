import { and, asc, desc, eq, getTableColumns, gt, isNull, or, sql } from "drizzle-orm";
import type { Executor, Tx } from "@/db/client";
import { apiKeys, type ApiKey } from "@/db/schema";
import { authorizeKeyManager, describeKey, insertApiKey, type ApiScope, type KeyManager } from "./api-keys";
import { writeAudit } from "../audit/audit-log";
import { LoyaltyError } from "../errors";

export type ApiKeyStatus = "active" | "retiring" | "expired" | "revoked";

export interface ApiKeyListItem extends Omit<ApiKey, "keyHash"> {
  status: ApiKeyStatus;
}

/** A rotation's grace period may keep the old key working for at most this long. */
export const MAX_ROTATION_GRACE_MS = 7 * 24 * 60 * 60 * 1000;

export function keyStatus(k: Pick<ApiKey, "revokedAt" | "expiresAt">, now: Date): ApiKeyStatus {
  const t = now.getTime();
  if (k.revokedAt && k.revokedAt.getTime() <= t) return "revoked";
  if (k.expiresAt && k.expiresAt.getTime() <= t) return "expired";
  return k.revokedAt ? "retiring" : "active";
}

/** Every key (up to 1,000), active, retiring, expired then revoked, newest first within each, with its status and last use (never its hash). */
export async function listApiKeys(ex: Executor, actor: KeyManager, now = new Date()): Promise<ApiKeyListItem[]> {
  authorizeKeyManager(actor);
  const { keyHash: _hash, ...columns } = getTableColumns(apiKeys);
  void _hash;
  const rows = await ex
    .select(columns)
    .from(apiKeys)
    .orderBy(asc(sql`${apiKeys.revokedAt} is not null`), desc(apiKeys.id))
    .limit(1_000);
  const rank: Record<ApiKeyStatus, number> = { active: 0, retiring: 1, expired: 2, revoked: 3 };
  return rows.map((k) => ({ ...k, status: keyStatus(k, now) })).sort((a, b) => rank[a.status] - rank[b.status] || b.id - a.id);
}

/**
 * The key a name or an id names, locked for the change. An id names any key; a name names the
 * one active key of that name (names are unique among keys not revoked).
 */
async function lockKey(tx: Tx, ref: string | number, now: Date): Promise<ApiKey> {
  const text = String(ref).trim();
  const byId = /^\d{1,15}$/.test(text);
  const [row] = await tx
    .select()
    .from(apiKeys)
    .where(byId ? eq(apiKeys.id, Number(text)) : and(eq(apiKeys.name, text), or(isNull(apiKeys.revokedAt), gt(apiKeys.revokedAt, now))))
    .orderBy(asc(sql`${apiKeys.revokedAt} is not null`))
    .limit(1)
    .for("update");
  if (!row) throw new LoyaltyError("not_found", byId ? `No API key has the id ${text}.` : `No active API key is named "${text}".`, { field: "key" });
  return row;
}

/**
 * Revokes a key now: from this instant the database refuses it, and every process that remembers
 * it (lib/http/api-key-cache.ts) refuses it within that cache's TTL. Audited as `api_key.revoked`.
 */
export async function revokeApiKey(db: Executor, ref: string | number, options: { actor: KeyManager; now?: Date; reason?: string }): Promise<ApiKey> {
  authorizeKeyManager(options.actor);
  const now = options.now ?? new Date();
  return db.transaction(async (tx) => {
    const key = await lockKey(tx, ref, now);
    if (keyStatus(key, now) === "revoked") throw new LoyaltyError("conflict", `The API key "${key.name}" is already revoked.`, { field: "key" });
    const [revoked] = await tx.update(apiKeys).set({ revokedAt: now }).where(eq(apiKeys.id, key.id)).returning();
    await writeAudit(tx, {
      actor: options.actor,
      action: "api_key.revoked",
      targetType: "api_key",
      targetId: key.id,
      reason: options.reason ?? null,
      before: describeKey(key),
      after: describeKey(revoked!),
    });
    return revoked!;
  });
}

/**
 * Replaces a key with a new secret of the same name, scopes, rate limit and lifetime (an expiring
 * key's successor gets the same length of life from now). The old key stops at once, or after
 * `graceMs` so its clients can switch over. One transaction, audited as `api_key.rotated`.
 */
export async function rotateApiKey(
  db: Executor,
  ref: string | number,
  options: { actor: KeyManager; now?: Date; graceMs?: number },
): Promise<{ key: string; apiKey: ApiKey; previous: ApiKey }> {
  authorizeKeyManager(options.actor);
  const now = options.now ?? new Date();
  const graceMs = options.graceMs ?? 0;
  if (!Number.isInteger(graceMs) || graceMs < 0 || graceMs > MAX_ROTATION_GRACE_MS) {
    throw new LoyaltyError("validation_failed", "grace: must be from 0 to 7 days", { field: "grace" });
  }
  return db.transaction(async (tx) => {
    const old = await lockKey(tx, ref, now);
    const status = keyStatus(old, now);
    if (status === "revoked" || status === "retiring") {
      throw new LoyaltyError("conflict", `The API key "${old.name}" is ${status === "revoked" ? "revoked" : "already being replaced"}.`, { field: "key" });
    }
    const retireAt = new Date(Math.min(now.getTime() + graceMs, old.expiresAt?.getTime() ?? Infinity));
    // The old row leaves the active-name index first, so the successor can take the name.
    await tx.update(apiKeys).set({ revokedAt: retireAt }).where(eq(apiKeys.id, old.id));
    const lifetime = old.expiresAt ? old.expiresAt.getTime() - old.createdAt.getTime() : null;
    const created = await insertApiKey(tx, {
      name: old.name,
      scopes: old.scopes as ApiScope[],
      rateLimitPerSecond: old.rateLimitPerSecond,
      expiresAt: lifetime === null ? null : new Date(now.getTime() + Math.max(lifetime, 60_000)),
    });
    const [previous] = await tx.update(apiKeys).set({ replacedById: created.apiKey.id }).where(eq(apiKeys.id, old.id)).returning();
    await writeAudit(tx, {
      actor: options.actor,
      action: "api_key.rotated",
      targetType: "api_key",
      targetId: old.id,
      before: describeKey(old),
      after: { previous: describeKey(previous!), replacement: describeKey(created.apiKey) },
    });
    return { ...created, previous: previous! };
  });
}
