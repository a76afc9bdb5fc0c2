import { createHash, randomBytes } from "node:crypto";
import { and, eq, gt, isNull, or } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { pgErrorOf, PG_UNIQUE_VIOLATION } from "@/db/errors";
import { apiKeys, type ApiKey } from "@/db/schema";
import { writeAudit } from "../audit/audit-log";
import { LoyaltyError } from "../errors";
import { authorize, type Actor } from "./staff-permissions";

export const API_SCOPES = [
  "events:write",
  "members:read",
  "members:write",
  "members:export",
  "members:erase",
  "redemptions:write",
  "campaigns:read",
  "campaigns:write",
  "program:write",
  "webhooks:write",
  "rewards:read",
  "rewards:write",
] as const;
export type ApiScope = (typeof API_SCOPES)[number];

const KEY_PREFIX = "lk_";

/** The highest per-key rate limit an operator may set (requests per second). */
export const MAX_RATE_LIMIT_PER_SECOND = 100_000;

/**
 * Who manages keys: a staff user (checked for the admin role here, whatever the caller checked) or
 * the operator's command line ("cli"), who already holds the database credentials.
 */
export type KeyManager = Actor | "cli";

export function authorizeKeyManager(actor: KeyManager): void {
  if (actor !== "cli") authorize(actor, "api-keys:manage");
}

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

export interface NewApiKey {
  name: string;
  /** Required: a key gets exactly the scopes asked for, never every scope by default. */
  scopes: readonly ApiScope[];
  /** Requests per second; null or absent = the program default (API_KEY_RATE_LIMIT). */
  rateLimitPerSecond?: number | null;
  expiresAt?: Date | null;
}

/** What an audit entry and the key list show of a key: never its hash. */
export function describeKey(k: ApiKey) {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    scopes: k.scopes,
    rateLimitPerSecond: k.rateLimitPerSecond,
    expiresAt: k.expiresAt?.toISOString() ?? null,
    revokedAt: k.revokedAt?.toISOString() ?? null,
    replacedById: k.replacedById,
  };
}

/** Invariants of a key, whoever creates it (the edges parse text into these first). */
export function checkNewApiKey(input: NewApiKey, now: Date): void {
  const fail = (field: string, message: string) => {
    throw new LoyaltyError("validation_failed", `${field}: ${message}`, { field, details: { fieldErrors: { [field]: [message] } } });
  };
  const name = input.name;
  if (name !== name.trim() || name.length < 1 || name.length > 100) fail("name", "must be 1 to 100 characters, without surrounding spaces");
  if (/^\d+$/.test(name)) fail("name", "must not be a number (numbers name keys by id)");
  if (input.scopes.length === 0) fail("scopes", "must name at least one scope");
  const unknown = input.scopes.filter((s) => !(API_SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0) fail("scopes", `unknown scope(s): ${unknown.join(", ")}`);
  const limit = input.rateLimitPerSecond;
  if (limit != null && (!Number.isInteger(limit) || limit < 1 || limit > MAX_RATE_LIMIT_PER_SECOND)) {
    fail("rateLimitPerSecond", `must be a whole number from 1 to ${MAX_RATE_LIMIT_PER_SECOND}`);
  }
  if (input.expiresAt && input.expiresAt.getTime() <= now.getTime()) fail("expiresAt", "must be in the future");
}

function newSecret(): { key: string; prefix: string; keyHash: string } {
  const key = `${KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  return { key, prefix: key.slice(0, KEY_PREFIX.length + 6), keyHash: hashApiKey(key) };
}

/** A unique violation on the active-name index is the caller's mistake: another active key has that name. */
export function nameTaken(error: unknown, name: string): never {
  if (pgErrorOf(error)?.code === PG_UNIQUE_VIOLATION && pgErrorOf(error)?.constraint === "api_keys_active_name_uq") {
    throw new LoyaltyError("conflict", `An active API key is already named "${name}"; revoke or rotate it, or choose another name.`, {
      field: "name",
    });
  }
  throw error;
}

/** Inserts a key row (inside the caller's transaction) and returns the secret, shown once. */
export async function insertApiKey(ex: Executor, input: NewApiKey) {
  const secret = newSecret();
  const [apiKey] = await ex
    .insert(apiKeys)
    .values({
      name: input.name,
      prefix: secret.prefix,
      keyHash: secret.keyHash,
      scopes: [...new Set(input.scopes)],
      rateLimitPerSecond: input.rateLimitPerSecond ?? null,
      expiresAt: input.expiresAt ?? null,
    })
    .returning()
    .catch((error: unknown) => nameTaken(error, input.name));
  return { key: secret.key, apiKey: apiKey! };
}

/**
 * Creates a key and returns it once in clear; only its SHA-256 is stored. The creation is audited
 * (`api_key.created`) in the same transaction.
 */
export async function createApiKey(db: Executor, input: NewApiKey, options: { actor?: KeyManager; now?: Date } = {}): Promise<{ key: string; apiKey: ApiKey }> {
  const actor = options.actor ?? "cli";
  authorizeKeyManager(actor);
  const now = options.now ?? new Date();
  checkNewApiKey(input, now);
  return db.transaction(async (tx) => {
    const created = await insertApiKey(tx, input);
    await writeAudit(tx, {
      actor,
      action: "api_key.created",
      targetType: "api_key",
      targetId: created.apiKey.id,
      after: describeKey(created.apiKey),
    });
    return created;
  });
}

/** Whether a key row (fresh or remembered) may still be used at `now`: not revoked, not expired. */
export function isApiKeyUsable(apiKey: Pick<ApiKey, "revokedAt" | "expiresAt">, now: Date): boolean {
  const t = now.getTime();
  return (!apiKey.revokedAt || apiKey.revokedAt.getTime() > t) && (!apiKey.expiresAt || apiKey.expiresAt.getTime() > t);
}

/**
 * The usable key matching a presented secret, or null. Constant-time by construction: lookup is by
 * hash. A key whose revocation is scheduled (a rotation's grace period) works until that instant.
 */
export async function authenticateApiKey(db: Executor, presented: string, now = new Date()): Promise<ApiKey | null> {
  if (!presented.startsWith(KEY_PREFIX) || presented.length > 200) return null;
  const [apiKey] = await db
    .select()
    .from(apiKeys)
    .where(
      and(
        eq(apiKeys.keyHash, hashApiKey(presented)),
        or(isNull(apiKeys.revokedAt), gt(apiKeys.revokedAt, now)),
        or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, now)),
      ),
    )
    .limit(1);
  return apiKey ?? null;
}

export function hasScope(apiKey: Pick<ApiKey, "scopes">, scope: ApiScope): boolean {
  return apiKey.scopes.includes(scope);
}

export function parseScopes(list: string): ApiScope[] {
  const scopes = list
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = scopes.filter((s) => !(API_SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0) throw new Error(`Unknown scope(s): ${unknown.join(", ")}. Known: ${API_SCOPES.join(", ")}`);
  return scopes as ApiScope[];
}
