/** The PostgreSQL error behind a Drizzle error (Drizzle wraps driver errors in `cause`). */
export interface PgError {
  code: string;
  message: string;
  constraint?: string;
}

export function pgErrorOf(error: unknown): PgError | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const candidate = current as { code?: unknown; message?: unknown; constraint?: unknown; constraint_name?: unknown };
    if (typeof candidate.code === "string" && /^[0-9A-Z]{5}$/.test(candidate.code)) {
      const constraint = candidate.constraint_name ?? candidate.constraint;
      return {
        code: candidate.code,
        message: String(candidate.message ?? ""),
        constraint: typeof constraint === "string" ? constraint : undefined,
      };
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export const PG_UNIQUE_VIOLATION = "23505";
export const PG_SERIALIZATION_FAILURE = "40001";
export const PG_DEADLOCK_DETECTED = "40P01";

/**
 * Driver codes (postgres.js and Node's sockets) of a connection that could not be opened or was
 * lost, and the server's own codes of a server going away or not yet up: connection exceptions
 * (class 08), admin / crash shutdown and "cannot connect now" (57P01-57P03, a server starting up
 * or shutting down). Each means "the database is unavailable right now", never a bug in the call.
 */
const UNAVAILABLE_DRIVER_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
]);
const UNAVAILABLE_SERVER_CODES = new Set(["57P01", "57P02", "57P03"]);

/** True when an error (however wrapped: Drizzle's `cause`, Node's AggregateError) says the database is unreachable. */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== "object" || depth > 5) return false;
  const { code, cause, errors } = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === "string" && (UNAVAILABLE_DRIVER_CODES.has(code) || UNAVAILABLE_SERVER_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) {
    return true;
  }
  if (Array.isArray(errors) && errors.some((e) => isDatabaseUnavailable(e, depth + 1))) return true;
  return isDatabaseUnavailable(cause, depth + 1);
}
