import { getDb, type Db } from "@/db/client";
import type { ApiKey } from "@/db/schema";
import type { ApiScope } from "@/lib/loyalty/api-keys";
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
 * Wraps a v1 route: authenticates the key and checks `scope` before anything is read from the
 * body, then maps every thrown error to `{error, message, field?}`.
 */
export function apiRoute<P extends Params = Record<string, never>>(
  scope: ApiScope,
  handle: (ctx: ApiContext, params: P) => Promise<Response>,
): RouteHandler<P> {
  return async (request, route) => {
    try {
      const db = getDb();
      const now = new Date();
      const apiKey = await authenticateRequest(db, request, scope, now);
      const params = route ? await route.params : ({} as P);
      return await handle({ request, db, apiKey, actor: `api:${apiKey.name}`, now }, params);
    } catch (error) {
      return errorResponse(error, request);
    }
  };
}
