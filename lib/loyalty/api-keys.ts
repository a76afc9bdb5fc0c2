import { createHash, randomBytes } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { apiKeys, type ApiKey } from "@/db/schema";

export const API_SCOPES = [
  "events:write",
  "members:read",
  "members:write",
  "redemptions:write",
  "campaigns:read",
  "campaigns:write",
] as const;
export type ApiScope = (typeof API_SCOPES)[number];

const KEY_PREFIX = "lk_";

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** Creates a key and returns it once in clear; only its SHA-256 is stored. */
export async function createApiKey(
  db: Executor,
  input: { name: string; scopes?: readonly ApiScope[] },
): Promise<{ key: string; apiKey: ApiKey }> {
  const key = `${KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  const [apiKey] = await db
    .insert(apiKeys)
    .values({
      name: input.name,
      prefix: key.slice(0, KEY_PREFIX.length + 6),
      keyHash: hashApiKey(key),
      scopes: [...(input.scopes ?? API_SCOPES)],
    })
    .returning();
  return { key, apiKey: apiKey! };
}

/** The active key matching a presented secret, or null. Constant-time by construction: lookup is by hash. */
export async function authenticateApiKey(db: Executor, presented: string): Promise<ApiKey | null> {
  if (!presented.startsWith(KEY_PREFIX) || presented.length > 200) return null;
  const [apiKey] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, hashApiKey(presented)), isNull(apiKeys.revokedAt)))
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
