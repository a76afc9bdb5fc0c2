import { isLoyaltyError } from "@/lib/loyalty/errors";
import { log } from "@/lib/log";
import { ApiError } from "./api-error";

export interface ErrorBody {
  error: string;
  message: string;
  field?: string;
}

const NO_STORE = { "cache-control": "no-store" };

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers: { ...NO_STORE, ...headers } });
}

/** The one mapping from a thrown error to an HTTP response. Unknown errors are logged, never shown. */
export function errorResponse(error: unknown, request?: Request): Response {
  const known = toErrorBody(error);
  if (known) {
    const headers: Record<string, string> = known.status === 401 ? { "www-authenticate": 'Bearer realm="loyalty"' } : {};
    return json(known.body, known.status, headers);
  }
  log().error(
    { err: error, method: request?.method, path: request ? new URL(request.url).pathname : undefined },
    "unexpected error in API route",
  );
  return json({ error: "internal_error", message: "An unexpected error occurred" } satisfies ErrorBody, 500);
}

/** `{status, body}` for an ApiError or a LoyaltyError; undefined for anything else (a bug). */
export function toErrorBody(error: unknown): { status: number; body: ErrorBody } | undefined {
  if (error instanceof ApiError || isLoyaltyError(error)) {
    const body: ErrorBody = { error: error.code, message: error.message };
    if (error.field) body.field = error.field;
    return { status: error.status, body };
  }
  return undefined;
}
