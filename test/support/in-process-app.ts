import fs from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";

/**
 * Calling the app's pages, server actions and route handlers in process, the way the hostile-input
 * fuzzer (test/fuzz/hostile-input.test.ts) does: the session supplies only a user id (roles and the
 * member link are then read from the real database by lib/auth/session.ts), next/headers and
 * next/cache are stand-ins, and redirect()/forbidden()/notFound() are caught as the answers they
 * are. A test file wires the mocks itself, since vi.mock is hoisted per file:
 *
 *   vi.mock("@/auth", async (original) => (await import("../support/in-process-app")).authModule(await original()));
 *   vi.mock("next/headers", async () => (await import("../support/in-process-app")).headersModule());
 *   vi.mock("next/cache", async () => (await import("../support/in-process-app")).cacheModule());
 *
 * and sets `inProcessSession.userId` to act as someone (null: signed out).
 */

export const APP = path.resolve(import.meta.dirname, "../../app");

/** Who the mocked auth() says is signed in. */
export const inProcessSession: { userId: string | null } = { userId: null };

export function authModule<T extends object>(real: T) {
  return {
    ...real,
    auth: async () => (inProcessSession.userId ? { user: { id: inProcessSession.userId } } : null),
    // No browser here: a credentials sign-in that got this far is answered as a wrong password, any
    // other sign-in or sign-out as the redirect Auth.js would send.
    signIn: async (provider: string) => {
      const { CredentialsSignin } = await import("next-auth");
      const { redirect } = await import("next/navigation");
      if (provider === "credentials") throw new CredentialsSignin();
      redirect("/api/auth/signin");
    },
    signOut: async () => {
      const { redirect } = await import("next/navigation");
      redirect("/sign-in");
    },
  };
}

export function headersModule() {
  return {
    headers: async () => new Headers({ "accept-language": "en-US", host: "localhost" }),
    cookies: async () => ({ get: () => undefined, getAll: () => [], has: () => false, set: () => {}, delete: () => {} }),
  };
}

export function cacheModule() {
  return { revalidatePath: () => {}, revalidateTag: () => {}, unstable_cache: (fn: unknown) => fn };
}

/** forbidden() in staff pages needs this flag, which next.config.ts sets for the real server. Call it from vi.hoisted. */
export function enableAuthInterrupts(): void {
  process.env.__NEXT_EXPERIMENTAL_AUTH_INTERRUPTS = "true";
}

/** Files under app/ (paths relative to it, "/"-separated, sorted) whose name passes `test`. */
export function filesUnder(test: (name: string) => boolean, dir = APP): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(test, full));
    else if (test(entry.name)) out.push(path.relative(APP, full).split(path.sep).join("/"));
  }
  return out.sort();
}

/** Every page, route handler and 'use server' file under app/, as found on disk. */
export function appTargets(): { pages: string[]; routes: string[]; actions: string[] } {
  return {
    pages: filesUnder((n) => n === "page.tsx"),
    routes: filesUnder((n) => n === "route.ts"),
    actions: filesUnder((n) => /\.tsx?$/.test(n)).filter((f) => /^["']use server["']/m.test(fs.readFileSync(path.join(APP, f), "utf8"))),
  };
}

/** The URL path a route or page file serves, its dynamic segments filled in from `params`. */
export function urlPath(file: string, params: Record<string, string | string[]> = {}): string {
  const segments = file
    .split("/")
    .slice(0, -1)
    .filter((s) => !/^\(.*\)$/.test(s));
  return (
    "/" +
    segments
      .map((s) => {
        const name = /^\[(?:\.\.\.)?(.+)\]$/.exec(s)?.[1];
        if (!name) return s;
        const value = params[name] ?? "x";
        return Array.isArray(value) ? value.join("/") : encodeURIComponent(value);
      })
      .join("/")
  );
}

const digestOf = (error: unknown) => (error && typeof error === "object" && "digest" in error ? String((error as { digest: unknown }).digest) : "");

/**
 * redirect(), notFound() and forbidden() answer by throwing: "redirect:<path>", "403", "404"…, or
 * null for a real failure.
 */
export function interrupt(error: unknown): string | null {
  const digest = digestOf(error);
  if (digest.startsWith("NEXT_REDIRECT")) return `redirect:${digest.split(";")[2] ?? ""}`;
  if (digest.startsWith("NEXT_HTTP_ERROR_FALLBACK")) return digest.split(";")[1] ?? "4xx";
  return null;
}

/**
 * One fingerprint per table of the public schema: its row count and an md5 of its rows, so an
 * insert, an update and a delete all show (one round trip for the whole database).
 */
export async function databaseFingerprint(db: Db): Promise<Record<string, string>> {
  const tables = await queryRows<{ name: string }>(db, sql`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
  if (tables.length === 0) return {};
  const parts = tables.map(
    ({ name }) =>
      sql`SELECT ${name}::text AS name, (SELECT count(*)::text || ':' || coalesce(md5(string_agg(r::text, '|' ORDER BY r::text)), '') FROM ${sql.identifier(name)} r) AS print`,
  );
  const rows = await queryRows<{ name: string; print: string }>(db, sql.join(parts, sql` UNION ALL `));
  return Object.fromEntries(rows.map((r) => [r.name, r.print]));
}

export type RouteHandler = (request: Request, context: { params: Promise<unknown> }) => Promise<Response>;

export interface RouteAnswer {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

/** Sends one request to a route handler in process (a NextRequest, as Next.js hands it). */
export async function callRoute(
  handler: RouteHandler,
  request: { url: string; method: string; headers?: Record<string, string>; body?: string; params?: Record<string, string | string[]> },
): Promise<RouteAnswer> {
  const { NextRequest } = await import("next/server");
  const response = await handler(new NextRequest(request.url, { method: request.method, headers: request.headers, body: request.body }), {
    params: Promise.resolve(request.params ?? {}),
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  return { status: response.status, headers: response.headers, body, text };
}
