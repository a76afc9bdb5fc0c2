/**
 * What the logs must never carry: secrets (passwords and their hashes, tokens, API keys, cookies,
 * authorization headers) and personal data (emails, phone numbers) — neither as fields nor
 * inside a database error, whose driver and ORM copy the query's parameters into the error.
 */

/** pino `redact` paths: these fields are replaced by "[redacted]" wherever a log call passes them. */
export const REDACT_PATHS = [
  "password",
  "passwordHash",
  "newPassword",
  "currentPassword",
  "token",
  "secret",
  "apiKey",
  "authorization",
  "cookie",
  "email",
  "phone",
  "params",
  "parameters",
  "*.password",
  "*.passwordHash",
  "*.newPassword",
  "*.currentPassword",
  "*.token",
  "*.secret",
  "*.apiKey",
  "*.authorization",
  "*.cookie",
  "*.email",
  "*.phone",
  "*.params",
  "*.parameters",
  "headers.authorization",
  "headers.cookie",
  'headers["set-cookie"]',
  "req.headers.authorization",
  "req.headers.cookie",
  "res.headers['set-cookie']",
];

export const REDACTED = "[redacted]";

// Drizzle: "Failed query: <sql>\nparams: <every bound value>" — the values are the tail of the message.
const DRIZZLE_PARAMS = /\nparams: [\s\S]*$/;
// PostgreSQL's detail and similar messages quote the values they are about: Key (email)=(ann@…).
const KEY_VALUES = /\(([^()]*)\)=\((?:[^()]|\([^()]*\))*\)/g;

export function scrubMessage(message: string): string {
  return message.replace(DRIZZLE_PARAMS, "\nparams: [redacted]").replace(KEY_VALUES, "($1)=([redacted])");
}

/** Safe to keep from a driver error: codes and names of things, never values. */
const SAFE_ERROR_FIELDS = [
  "code",
  "errno",
  "severity",
  "constraint",
  "constraint_name",
  "table",
  "table_name",
  "column",
  "column_name",
  "schema_name",
  "routine",
  "digest",
] as const;

export type SerializedError = {
  type: string;
  message: string;
  stack?: string;
  query?: string;
  cause?: SerializedError;
} & Partial<Record<(typeof SAFE_ERROR_FIELDS)[number], string | number>>;

/**
 * The pino `err` serializer: type, message and stack with any bound parameters cut out, the SQL
 * text (placeholders only), the database's error code and constraint, and the causes the same way.
 * Everything else an error object carries (Drizzle's `params`, postgres.js's `parameters` and
 * `args`, the server's `detail` and `where`) is dropped.
 */
export function serializeError(error: unknown, depth = 0): SerializedError {
  if (typeof error !== "object" || error === null) return { type: typeof error, message: scrubMessage(String(error)) };
  const e = error as Record<string, unknown> & { message?: unknown; stack?: unknown; constructor?: { name?: string } };
  const message = scrubMessage(typeof e.message === "string" ? e.message : "");
  const out: SerializedError = { type: e.constructor?.name ?? "Object", message };
  if (typeof e.stack === "string") out.stack = scrubMessage(e.stack.replace(String(e.message ?? ""), message));
  if (typeof e.query === "string") out.query = e.query;
  for (const field of SAFE_ERROR_FIELDS) {
    const value = e[field];
    if (typeof value === "string" || typeof value === "number") out[field] = value;
  }
  if (e.cause !== undefined && depth < 4) out.cause = serializeError(e.cause, depth + 1);
  return out;
}

/**
 * An error fit to be thrown past our code (Next.js prints uncaught errors itself, with their
 * message): the same message without parameters, the database code kept for callers.
 */
export function scrubbedError(error: unknown): Error {
  const safe = serializeError(error);
  const scrubbed = new Error(safe.message);
  scrubbed.name = safe.type;
  if (safe.stack) scrubbed.stack = safe.stack;
  const code = safe.code ?? safe.cause?.code;
  if (code !== undefined) Object.assign(scrubbed, { code });
  return scrubbed;
}
