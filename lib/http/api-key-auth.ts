import type { Executor } from "@/db/client";
import type { ApiKey } from "@/db/schema";
import { env } from "@/lib/env";
import { hasScope, type ApiScope } from "@/lib/loyalty/access/api-keys";
import { LoyaltyError } from "@/lib/loyalty/errors";
import { apiKeyPolicy } from "@/lib/rate-limit/policies";
import { rateLimits } from "@/lib/rate-limit/rate-limits";
import { authenticateApiKeyCached } from "./api-key-cache";
import { ApiError } from "./api-error";
import { recordApiKeyUse } from "./api-key-usage";

export function bearerTokenOf(request: Request): string | undefined {
  const header = request.headers.get("authorization");
  const match = header?.match(/^Bearer[ \t]+(\S+)[ \t]*$/i);
  return match?.[1];
}

/**
 * The API key presenting this request, if it is valid (not revoked, not expired), within its rate
 * limit and carries `scope`: 401, 429 `rate_limited` (with `details.retryAfterSeconds`) or 403
 * otherwise. The limit is counted before the scope check: a key's refused calls load us too.
 */
export async function authenticateRequest(db: Executor, request: Request, scope: ApiScope, now: Date): Promise<ApiKey> {
  const token = bearerTokenOf(request);
  if (!token) throw new ApiError("unauthorized", "Send an API key as `Authorization: Bearer <api key>`");
  const apiKey = await authenticateApiKeyCached(db, token, now);
  if (!apiKey) throw new ApiError("unauthorized", "The API key is invalid, expired or revoked");
  const limit = apiKey.rateLimitPerSecond ?? env().API_KEY_RATE_LIMIT;
  const verdict = await rateLimits().consumeReserved(apiKeyPolicy(limit), String(apiKey.id));
  if (!verdict.allowed) {
    throw new LoyaltyError("rate_limited", `This API key may make ${limit} requests per second; retry after ${verdict.retryAfterSeconds} s`, {
      details: { retryAfterSeconds: verdict.retryAfterSeconds },
    });
  }
  if (!hasScope(apiKey, scope)) throw new ApiError("forbidden", `This API key lacks the scope ${scope}`);
  await recordApiKeyUse(db, apiKey, now);
  return apiKey;
}
