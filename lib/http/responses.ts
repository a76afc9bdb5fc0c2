import { isDatabaseUnavailable } from "@/db/errors";
import { isLoyaltyError } from "@/lib/loyalty/errors";
import { log } from "@/lib/log";
import { ApiError } from "./api-error";

export interface ErrorBody {
  error: string;
  message: string;
  field?: string;
}

/** Bodies under this size go out uncompressed: gzip would not shrink them enough to pay for itself. */
const COMPRESS_FROM_BYTES = 1024;

/**
 * A JSON response. Next.js streams route handler bodies, so its gzip cannot see their size and
 * compressed even a 60-byte answer through a fresh zlib stream (a tenth of a single-event request's
 * CPU); `no-transform` on a small body tells it, and any proxy, to leave it alone. Larger bodies
 * (history pages, batch results) are still compressed.
 */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  const text = JSON.stringify(body);
  const cacheControl = Buffer.byteLength(text) < COMPRESS_FROM_BYTES ? "no-store, no-transform" : "no-store";
  return new Response(text, { status, headers: { "content-type": "application/json", "cache-control": cacheControl, ...headers } });
}

/** Seconds a client is asked to wait when the database is unavailable (a restart takes a few). */
export const RETRY_AFTER_SECONDS = 2;

/** The one mapping from a thrown error to an HTTP response. Unknown errors are logged, never shown. */
export function errorResponse(error: unknown, request?: Request): Response {
  const known = toErrorBody(error);
  if (known) {
    const headers: Record<string, string> =
      known.status === 401 ? { "www-authenticate": 'Bearer realm="loyalty"' } : known.status === 503 ? { "retry-after": String(RETRY_AFTER_SECONDS) } : {};
    return json(known.body, known.status, headers);
  }
  log().error({ err: error, method: request?.method, path: request ? new URL(request.url).pathname : undefined }, "unexpected error in API route");
  return json({ error: "internal_error", message: "An unexpected error occurred" } satisfies ErrorBody, 500);
}

/**
 * `{status, body}` for an ApiError or a LoyaltyError, and 503 `service_unavailable` for a database
 * that is down or going away (its transaction never committed or its answer was lost: a retry with
 * the same reference is safe); undefined for anything else (a bug).
 */
export function toErrorBody(error: unknown): { status: number; body: ErrorBody } | undefined {
  if (isDatabaseUnavailable(error)) {
    log().warn({ code: (error as { code?: unknown }).code }, "database unavailable: answered 503");
    error = new ApiError("service_unavailable", "The service is temporarily unavailable; retry later.");
  }
  if (error instanceof ApiError || isLoyaltyError(error)) {
    const body: ErrorBody = { error: error.code, message: error.message };
    if (error.field) body.field = error.field;
    return { status: error.status, body };
  }
  return undefined;
}
