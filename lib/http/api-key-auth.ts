import type { Executor } from "@/db/client";
import type { ApiKey } from "@/db/schema";
import { hasScope, type ApiScope } from "@/lib/loyalty/api-keys";
import { authenticateApiKeyCached } from "./api-key-cache";
import { ApiError } from "./api-error";
import { recordApiKeyUse } from "./api-key-usage";

export function bearerTokenOf(request: Request): string | undefined {
  const header = request.headers.get("authorization");
  const match = header?.match(/^Bearer[ \t]+(\S+)[ \t]*$/i);
  return match?.[1];
}

/** The API key presenting this request, if it is valid and carries `scope`; 401 or 403 otherwise. */
export async function authenticateRequest(db: Executor, request: Request, scope: ApiScope, now: Date): Promise<ApiKey> {
  const token = bearerTokenOf(request);
  if (!token) throw new ApiError("unauthorized", "Send an API key as `Authorization: Bearer <api key>`");
  const apiKey = await authenticateApiKeyCached(db, token, now);
  if (!apiKey) throw new ApiError("unauthorized", "The API key is invalid or revoked");
  if (!hasScope(apiKey, scope)) throw new ApiError("forbidden", `This API key lacks the scope ${scope}`);
  await recordApiKeyUse(db, apiKey, now);
  return apiKey;
}
