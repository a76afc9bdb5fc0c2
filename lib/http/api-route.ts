import { getDb, type Db } from "@/db/client";
import type { ApiKey } from "@/db/schema";
import type { ApiScope } from "@/lib/loyalty/access/api-keys";
import { isLoyaltyError } from "@/lib/loyalty/errors";
import { appMetrics } from "@/lib/metrics/registry";
import { authenticateRequest } from "./api-key-auth";
import { errorResponse } from "./responses";

export interface ApiContext {
  request: Request;
  db: Db;
  apiKey: ApiKey;
  /** Written on ledger rows and audit entries: "api:<key name>". */
  actor: string;
  now: Date;
}

type Params = Record<string, string | string[] | undefined>;
export type RouteHandler<P extends Params> = (request: Request, route: { params: Promise<P> }) => Promise<Response>;

/**
 * The route's template for metrics (`/api/v1/members/{externalId}/transactions`): each path segment
 * that is a dynamic parameter's value is replaced by the parameter's name, so the label's values
 * are the routes, not the members.
 */
export function routeTemplate(pathname: string, params: Params | undefined): string {
  const names = new Map<string, string>();
  for (const [name, value] of Object.entries(params ?? {})) {
    if (typeof value === "string") names.set(encodeURIComponent(value), name);
  }
  if (names.size === 0) return pathname;
  return pathname
    .split("/")
    .map((segment) => {
      const name = names.get(segment) ?? names.get(encodeURIComponent(safeDecode(segment)));
      return name ? `{${name}}` : segment;
    })
    .join("/");
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * Wraps a v1 route: authenticates the key, applies its rate limit and checks `scope` before
 * anything is read from the body, then maps every thrown error to `{error, message, field?}` (a
 * 429 with `Retry-After`). Every answer is timed per route template, method and status.
 */
export function apiRoute<P extends Params = Record<string, never>>(
  scope: ApiScope,
  handle: (ctx: ApiContext, params: P) => Promise<Response>,
): RouteHandler<P> {
  return async (request, route) => {
    const startedAt = performance.now();
    let params = {} as P;
    let response: Response;
    try {
      // Next.js resolves a static route's params to undefined (in-process tests pass {}): without the
      // fallback, routeTemplate's Object.entries threw outside this try and every POST /api/v1/events
      // of `next start` answered 500 (found by `npm run chaos`).
      params = (route ? await route.params : undefined) ?? ({} as P);
      const db = getDb();
      const now = new Date();
      const apiKey = await authenticateRequest(db, request, scope, now);
      response = await handle({ request, db, apiKey, actor: `api:${apiKey.name}`, now }, params);
    } catch (error) {
      response = errorResponse(error, request);
      const retryAfter = isLoyaltyError(error) ? error.details?.retryAfterSeconds : undefined;
      if (typeof retryAfter === "number") response.headers.set("retry-after", String(retryAfter));
    }
    appMetrics()
      .httpRequestDuration.labels(routeTemplate(new URL(request.url).pathname, params), request.method, String(response.status))
      .observe((performance.now() - startedAt) / 1000);
    return response;
  };
}
