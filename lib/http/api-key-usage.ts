import { and, eq, isNull, lt, or } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { apiKeys, type ApiKey } from "@/db/schema";
import { log } from "@/lib/log";

/** `last_used_at` is informational: one write per key per minute is plenty and keeps hot keys cheap. */
export const API_KEY_TOUCH_INTERVAL_MS = 60_000;

const globalForUsage = globalThis as unknown as { __apiKeyTouchedAt?: Map<number, number> };
const touchedAt = (globalForUsage.__apiKeyTouchedAt ??= new Map());

/**
 * Records that a key was used, at most once a minute: skipped when the row read during
 * authentication or this process's memory says it was touched recently, and the UPDATE's own
 * condition stops concurrent processes from writing it twice. Never fails the request.
 */
export async function recordApiKeyUse(db: Executor, apiKey: Pick<ApiKey, "id" | "lastUsedAt">, now: Date): Promise<void> {
  const threshold = now.getTime() - API_KEY_TOUCH_INTERVAL_MS;
  if (apiKey.lastUsedAt && apiKey.lastUsedAt.getTime() > threshold) return;
  const last = touchedAt.get(apiKey.id);
  if (last !== undefined && last > threshold) return;
  touchedAt.set(apiKey.id, now.getTime());
  try {
    await db
      .update(apiKeys)
      .set({ lastUsedAt: now })
      .where(and(eq(apiKeys.id, apiKey.id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, new Date(threshold)))));
  } catch (error) {
    log().warn({ err: error, apiKeyId: apiKey.id }, "could not record API key use");
  }
}

/** Tests that move the clock forget what this process remembers. */
export function forgetApiKeyUse(): void {
  touchedAt.clear();
}
