import type { ApiKey } from "@/db/schema";
import { API_SCOPES, type ApiScope } from "./api-keys";
import type { Actor } from "./staff-permissions";

/** An authenticated API key as the actor of a staff service call. */
export function apiActor(apiKey: Pick<ApiKey, "name" | "scopes">): Actor {
  const scopes = apiKey.scopes.filter((s): s is ApiScope => (API_SCOPES as readonly string[]).includes(s));
  return { kind: "api", name: apiKey.name, scopes };
}
