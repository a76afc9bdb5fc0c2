import { sql } from "drizzle-orm";
import { expect } from "vitest";
import { queryRows, setDbHandle } from "@/db/client";
import { setCacheStore } from "@/lib/cache/cache";
import { API_SCOPES, createApiKey, MAX_RATE_LIMIT_PER_SECOND, type ApiScope } from "@/lib/loyalty/access/api-keys";
import { createTestDatabase, type TestDatabase } from "../support/test-database";

/** A route handler as Next calls it: `(request, { params })`. */
type Handler = (request: Request, route: { params: Promise<never> }) => Promise<Response>;

export interface ApiHarness {
  t: TestDatabase;
  /** A key with every scope (named explicitly: keys get no scope by default). */
  key: string;
  keyWith(scopes: ApiScope[]): Promise<string>;
  close(): Promise<void>;
}

/** A fresh database that the app's getDb() points at, and an API key with every scope. */
export async function createApiHarness(): Promise<ApiHarness> {
  const t = await createTestDatabase();
  setDbHandle(t.connect());
  // Member ids repeat across test databases: a new database starts with an empty cache.
  await setCacheStore(undefined)?.close();
  // In-process calls can pass 1,000 a second: the harness key is not the subject of rate-limit tests.
  const { key } = await createApiKey(t.db, { name: "test-key", scopes: API_SCOPES, rateLimitPerSecond: MAX_RATE_LIMIT_PER_SECOND });
  let keys = 0;
  return {
    t,
    key,
    // Names are unique among active keys: each call gets its own.
    keyWith: async (scopes) => (await createApiKey(t.db, { name: `scoped-${++keys}-${scopes.join("+")}`.slice(0, 100), scopes })).key,
    async close() {
      setDbHandle(undefined);
      await setCacheStore(undefined)?.close();
      await t.drop();
    },
  };
}

export interface CallOptions {
  key?: string;
  /** An object is sent as JSON; a string is sent as is (for malformed bodies). */
  body?: unknown;
  params?: Record<string, string>;
  query?: string;
  method?: string;
  headers?: Record<string, string>;
}

export interface CallResult<T = Record<string, unknown>> {
  status: number;
  body: T;
}

/** Invokes an exported route handler directly, as Next.js would. */
export async function call<T = Record<string, unknown>>(handler: Handler, path: string, options: CallOptions = {}): Promise<CallResult<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    headers["content-type"] ??= "application/json";
  }
  const method = options.method ?? (body === undefined ? "GET" : "POST");
  const url = `http://localhost${path}${options.query ? `?${options.query}` : ""}`;
  const response = await handler(new Request(url, { method, headers, body }), {
    params: Promise.resolve(options.params ?? {}) as Promise<never>,
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** Row counts of everything a request could write; equal before and after = nothing written. */
export interface WrittenRows {
  members: number;
  balances: number;
  transactions: number;
  allocations: number;
  check_ins: number;
  audit: number;
  /** Sum of all balances, as text (bigint). */
  points: string;
}

export async function writtenRows(t: TestDatabase): Promise<WrittenRows> {
  const [row] = await queryRows<WrittenRows>(
    t.db,
    sql`SELECT
      (SELECT count(*)::int FROM members) AS members,
      (SELECT count(*)::int FROM point_balances) AS balances,
      (SELECT count(*)::int FROM point_transactions) AS transactions,
      (SELECT count(*)::int FROM lot_allocations) AS allocations,
      (SELECT count(*)::int FROM login_check_ins) AS check_ins,
      (SELECT count(*)::int FROM audit_log) AS audit,
      (SELECT coalesce(sum(available_points), 0)::bigint::text FROM point_balances) AS points`,
  );
  return row!;
}

/** Asserts an error response: status, code and (when given) the field, with a message. */
export function expectError(result: CallResult, status: number, error: string, field?: string): void {
  expect({ status: result.status, error: result.body?.error, field: result.body?.field }).toEqual({ status, error, field });
  expect(typeof result.body.message).toBe("string");
}
