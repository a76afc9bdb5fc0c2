import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { sql } from "drizzle-orm";
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { Providers } from "@/app/providers";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { queryRows, setDbHandle } from "@/db/client";
import { setCacheStore } from "@/lib/cache/cache";
import { forgetApiKeys } from "@/lib/http/api-key-cache";
import { ROUTE_METHODS } from "@/lib/http/methods";
import { API_SCOPES, createApiKey } from "@/lib/loyalty/access/api-keys";
import { ensureMember } from "@/lib/loyalty/members/ensure-member";
import { log } from "@/lib/log";
import { createMemberUser } from "../portal/fixtures";
import { createTestDatabase, type TestDatabase } from "../support/test-database";
import { urlEncode } from "./support/hostile";
import { ACTIONS, KNOWN_MEMBER, PAGES, pageSearch, ROUTES, type RoutePayload, type Session } from "./support/targets";

/**
 * Issue 9 §4: generated hostile payloads against every route handler, server action and page found
 * under app/, in process, on a real PostgreSQL database. Every answer must be a refusal (4xx with
 * `{error, message}`, a form state with a message, or a rendered page), never a 5xx, an unexpected
 * error logged, or a row written. FUZZ_RUNS sets the payloads per target (CI: a small budget;
 * `npm run fuzz:input -- --runs N` for the long run); FUZZ_REPORT writes the tallies as JSON.
 */

const RUNS = Number(process.env.FUZZ_RUNS ?? 10);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
const APP = path.resolve(import.meta.dirname, "../../app");

const session = vi.hoisted(() => ({ userId: null as string | null }));
vi.hoisted(() => {
  // forbidden() in staff pages, as next.config.ts enables it for the real server.
  process.env.__NEXT_EXPERIMENTAL_AUTH_INTERRUPTS = "true";
});

vi.mock("@/auth", async (importOriginal) => {
  const real = await importOriginal<typeof import("@/auth")>();
  const { CredentialsSignin } = await import("next-auth");
  const { redirect } = await import("next/navigation");
  return {
    ...real,
    auth: async () => (session.userId ? { user: { id: session.userId } } : null),
    // No browser here: a credentials sign-in that got this far is answered as a wrong password, any
    // other sign-in or sign-out as the redirect Auth.js would send.
    signIn: async (provider: string) => {
      if (provider === "credentials") throw new CredentialsSignin();
      redirect("/api/auth/signin");
    },
    signOut: async () => redirect("/sign-in"),
  };
});
vi.mock("next/headers", () => ({
  headers: async () => new Headers({ "accept-language": "en-US", host: "localhost" }),
  cookies: async () => ({ get: () => undefined, getAll: () => [], has: () => false, set: () => {}, delete: () => {} }),
}));
vi.mock("next/cache", () => ({ revalidatePath: () => {}, revalidateTag: () => {}, unstable_cache: (fn: unknown) => fn }));

function filesUnder(dir: string, test: (name: string) => boolean): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(full, test));
    else if (test(entry.name)) out.push(path.relative(APP, full).split(path.sep).join("/"));
  }
  return out.sort();
}

const routeFiles = filesUnder(APP, (n) => n === "route.ts");
const pageFiles = filesUnder(APP, (n) => n === "page.tsx");
const actionFiles = filesUnder(APP, (n) => n.endsWith(".ts")).filter((f) => /^["']use server["']/m.test(fs.readFileSync(path.join(APP, f), "utf8")));

/** The URL path a route or page file serves, with its dynamic segments filled in from `params`. */
function urlPath(file: string, params: Record<string, string | string[]> = {}): string {
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
        return Array.isArray(value) ? value.join("/") : urlEncode(value);
      })
      .join("/")
  );
}

interface Tally {
  payloads: number;
  statuses: Record<string, number>;
}
const tallies: Record<string, Tally> = {};
function tally(target: string, outcome: string | number) {
  const t = (tallies[target] ??= { payloads: 0, statuses: {} });
  t.payloads++;
  t.statuses[outcome] = (t.statuses[outcome] ?? 0) + 1;
}

let t: TestDatabase;
let apiKey: string;
const users: Record<Exclude<Session, "none">, string> = { member: "", admin: "" };
const errorLog = vi.fn();

async function tableCounts(): Promise<Record<string, number>> {
  const tables = await queryRows<{ name: string }>(t.db, sql`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
  const counts: Record<string, number> = {};
  for (const { name } of tables) {
    const [row] = await queryRows<{ n: number }>(t.db, sql`SELECT count(*)::int AS n FROM ${sql.identifier(name)}`);
    counts[name] = row!.n;
  }
  return counts;
}

function signIn(as: Session) {
  session.userId = as === "none" ? null : users[as];
}

const digestOf = (error: unknown) => (error && typeof error === "object" && "digest" in error ? String((error as { digest: unknown }).digest) : "");
/** redirect(), notFound() and forbidden() answer by throwing: they are answers, not failures. */
function interrupt(error: unknown): string | null {
  const digest = digestOf(error);
  if (digest.startsWith("NEXT_REDIRECT")) return "redirect";
  if (digest.startsWith("NEXT_HTTP_ERROR_FALLBACK")) return digest.split(";")[1] ?? "4xx";
  return null;
}

beforeAll(async () => {
  t = await createTestDatabase();
  setDbHandle(t.connect());
  await setCacheStore(undefined)?.close();
  forgetApiKeys();
  apiKey = (await createApiKey(t.db, { name: "fuzz", scopes: [...API_SCOPES] })).key;
  await ensureMember(t.db, { externalId: KNOWN_MEMBER, name: "Fuzz Member" });
  users.member = (await createMemberUser(t.db)).id;
  users.admin = (await createMemberUser(t.db, ["member", "marketing", "support", "admin"])).id;
  process.env.CRON_SECRET ??= "fuzz-cron-secret-0123456789abcdef";
  const logger = log();
  const original = logger.error.bind(logger);
  vi.spyOn(logger, "error").mockImplementation(((...args: Parameters<typeof original>) => {
    errorLog(...args);
    return original(...args);
  }) as typeof logger.error);
});

afterAll(async () => {
  signIn("none");
  const rows = Object.entries(tallies).map(([target, { payloads, statuses }]) => ({ target, payloads, statuses }));
  const total = rows.reduce((n, r) => n + r.payloads, 0);
  console.log(`hostile input: ${total} payloads over ${rows.length} targets (${RUNS} runs a target and method)`);
  for (const r of rows) console.log(`  ${r.target.padEnd(70)} ${String(r.payloads).padStart(6)}  ${JSON.stringify(r.statuses)}`);
  if (process.env.FUZZ_REPORT) fs.writeFileSync(process.env.FUZZ_REPORT, JSON.stringify({ runs: RUNS, total, targets: rows }, null, 2));
  setDbHandle(undefined);
  await setCacheStore(undefined)?.close();
  await t?.drop();
});

/** Runs `check` on `runs` generated payloads; nothing may be written and nothing logged as an error. */
async function fuzz<T>(target: string, arbitrary: fc.Arbitrary<T>, check: (value: T) => Promise<void>) {
  const before = await tableCounts();
  const errorsBefore = errorLog.mock.calls.length;
  await fc.assert(
    fc.asyncProperty(arbitrary, async (value) => {
      await check(value);
      expect(errorLog.mock.calls.length, `an unexpected error was logged: ${JSON.stringify(errorLog.mock.calls.at(-1)?.[0])?.slice(0, 500)}`).toBe(
        errorsBefore,
      );
    }),
    { numRuns: RUNS, seed: SEED, endOnFailure: true },
  );
  expect(await tableCounts(), `${target} wrote rows`).toEqual(before);
}

function isTypedError(body: unknown): boolean {
  return (
    !!body && typeof body === "object" && typeof (body as { error?: unknown }).error === "string" && typeof (body as { message?: unknown }).message === "string"
  );
}

async function send(
  handler: (r: Request, c: { params: Promise<unknown> }) => Promise<Response>,
  file: string,
  method: string,
  payload: RoutePayload & { path?: string },
  auth?: "api-key" | "cron",
) {
  // What an HTTP client can put in a header at all: no NUL, CR or LF, nothing beyond Latin-1.
  const headers: Record<string, string> = Object.fromEntries(
    Object.entries(payload.headers ?? {}).map(([k, v]) => [k, v.replace(/[\u0000\r\n]|[^\u0000-\u00ff]/g, "?")]),
  );
  if (auth === "api-key") headers.authorization ??= `Bearer ${apiKey}`;
  let body: string | undefined;
  if (payload.body !== undefined && method !== "GET") {
    body = typeof payload.body === "string" ? payload.body : (JSON.stringify(payload.body) ?? "null");
    headers["content-type"] ??= "application/json";
  }
  // Next.js hands a route its path parameters decoded from UTF-8, so never with a lone surrogate.
  const params: Record<string, string | string[]> = Object.fromEntries(
    Object.entries(payload.params ?? {}).map(([k, v]) => [k, v.replace(/\p{Cs}/gu, "\ufffd")]),
  );
  if (params.nextauth !== undefined) params.nextauth = String(params.nextauth).split("/");
  const where = payload.path ?? urlPath(file, params);
  const url = `http://localhost${where}${payload.query ? `?${payload.query}` : ""}`;
  const { NextRequest } = await import("next/server");
  const request = new NextRequest(url, { method, headers, body });
  const response = await handler(request, { params: Promise.resolve(params) });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

describe("hostile input: every route, action and page under app/ is covered", () => {
  it("has a fuzz spec for every file found on disk", () => {
    expect(
      routeFiles.filter((f) => !ROUTES[f]),
      "routes without a fuzz spec",
    ).toEqual([]);
    expect(
      pageFiles.filter((f) => !PAGES[f]),
      "pages without a fuzz spec",
    ).toEqual([]);
    expect(
      actionFiles.filter((f) => !ACTIONS[f]),
      "server-action files without a fuzz spec",
    ).toEqual([]);
    // A spec may come before its file (another change that has not landed yet): only a file without
    // a spec is a gap.
  });
});

describe.each(routeFiles.filter((f) => ROUTES[f]))("route %s", (file) => {
  const spec = ROUTES[file]!;
  type Module = Record<string, ((r: Request, c: { params: Promise<unknown> }) => Promise<Response>) | undefined>;

  it("answers every method it does not serve with a typed 405 and Allow (or the catch-all's 404)", async () => {
    const mod = (await import(path.join(APP, file))) as Module;
    for (const method of [...ROUTE_METHODS, "OPTIONS"] as const) {
      // Next.js answers a method the file does not export with an empty 405: that is a finding.
      expect(mod[method], `${file} does not export ${method}`).toBeTypeOf("function");
    }
    signIn(spec.session);
    const unserved = ROUTE_METHODS.filter((m) => !spec.methods[m as keyof typeof spec.methods]);
    await fuzz(
      `${file} unserved methods`,
      fc.tuple(fc.constantFrom(...(unserved.length ? unserved : ["GET"])), fc.jsonValue({ maxDepth: 2 })),
      async ([method, body]) => {
        const answer = await send(mod[method]!, file, method, { body, path: file === "api/[...path]/route.ts" ? "/api/nope" : undefined }, spec.auth);
        tally(`${file} (other methods)`, answer.status);
        if (file === "api/[...path]/route.ts") {
          expect(answer.status).toBe(404);
        } else {
          expect(answer.status, `${method} ${file}: ${answer.text.slice(0, 200)}`).toBe(405);
          expect(answer.headers.get("allow")).toMatch(/OPTIONS/);
        }
        expect(isTypedError(answer.body), answer.text.slice(0, 200)).toBe(true);
      },
    );
  });

  for (const [method, arbitrary] of Object.entries(spec.methods)) {
    it(`${method}: hostile payloads are refused, nothing is written`, async () => {
      const mod = (await import(path.join(APP, file))) as Module;
      signIn(spec.session);
      const withPath = file === "api/[...path]/route.ts" ? arbitrary.map((p) => ({ ...p, path: `/api/${p.headers?.["x-fuzz-path"] ?? "x"}` })) : arbitrary;
      await fuzz(`${method} ${file}`, withPath, async (payload) => {
        const answer = await send(mod[method]!, file, method, payload, spec.auth);
        tally(`${method} ${urlPath(file)}`, answer.status);
        const detail = `${method} ${file} ${JSON.stringify(payload).slice(0, 300)} → ${answer.status} ${answer.text.slice(0, 300)}`;
        expect(answer.status, detail).toBeLessThan(500);
        switch (spec.expectFor?.[method as "GET"] ?? spec.expect) {
          case "refused":
            expect(answer.status, detail).toBeGreaterThanOrEqual(400);
            expect(isTypedError(answer.body), detail).toBe(true);
            break;
          case "batch":
            if (answer.status === 200) {
              const items = (answer.body as { results: { status: number; error?: unknown }[] }).results;
              for (const item of items) {
                expect(item.status, detail).toBeGreaterThanOrEqual(400);
                expect(isTypedError(item.error), detail).toBe(true);
              }
            } else {
              expect(answer.status, detail).toBeGreaterThanOrEqual(400);
              expect(isTypedError(answer.body), detail).toBe(true);
            }
            break;
          case "ignored":
            expect(answer.status, detail).toBe(200);
            break;
          case "redirect":
            expect(answer.status, detail).toBe(303);
            expect(answer.headers.get("location") ?? "", detail).toMatch(/\/(check-email\?error=\w+|sign-in\?)/);
            break;
          case "auth":
            break;
        }
      });
    });
  }
});

describe.each(pageFiles.filter((f) => PAGES[f]))("page %s", (file) => {
  const spec = PAGES[file]!;
  it("renders (or redirects, 404s, 403s) for hostile query strings and path parameters, writing nothing", async () => {
    const { default: Page } = (await import(path.join(APP, file))) as { default: (props: unknown) => Promise<React.ReactElement> };
    signIn(spec.session);
    const arbitrary = fc.tuple(spec.params ?? fc.constant({}), pageSearch(spec.searchKeys));
    await fuzz(file, arbitrary, async ([params, searchParams]) => {
      let outcome: string;
      try {
        const page = await Page({ params: Promise.resolve(params), searchParams: Promise.resolve(searchParams) });
        const html = renderToString(createElement(Providers, null, page));
        expect(html.length).toBeGreaterThan(0);
        outcome = "rendered";
      } catch (error) {
        const answer = interrupt(error);
        if (!answer) throw new Error(`${file} ${JSON.stringify([params, searchParams]).slice(0, 300)} failed: ${String(error)}`, { cause: error });
        outcome = answer;
      }
      tally(`page ${urlPath(file)}`, outcome);
    });
  });
});

describe.each(actionFiles.filter((f) => ACTIONS[f]))("server actions of %s", (file) => {
  const specs = ACTIONS[file]!;
  it("has a spec for every exported action", async () => {
    const mod = (await import(path.join(APP, file))) as Record<string, unknown>;
    const exported = Object.keys(mod).filter((k) => typeof mod[k] === "function");
    expect(exported.filter((k) => !specs[k]).sort()).toEqual([]);
  });

  for (const [name, spec] of Object.entries(specs)) {
    const run = spec.form ? it : it.skip;
    run(`${name}: hostile form data is answered with a message, nothing is written`, async () => {
      const mod = (await import(path.join(APP, file))) as Record<string, (...args: unknown[]) => Promise<unknown>>;
      const action = mod[name]!;
      signIn(spec.session);
      await fuzz(`${file} ${name}`, spec.form!, async (fields) => {
        const form = new FormData();
        for (const [k, v] of fields) form.append(k, v);
        let outcome: string;
        try {
          const state = spec.returns === "state" ? await action({ status: "idle" }, form) : await action(form);
          if (spec.returns === "state") {
            const s = state as { status: string; formError?: string; fieldErrors?: Record<string, unknown> };
            const detail = `${name} ${JSON.stringify(fields).slice(0, 300)} → ${JSON.stringify(state).slice(0, 300)}`;
            expect(s.status, detail).toBe("error");
            expect(Boolean(s.formError) || Object.keys(s.fieldErrors ?? {}).length > 0, detail).toBe(true);
            expect(s.formError ?? "", detail).not.toMatch(/something went wrong/i);
          }
          outcome = spec.returns === "state" ? "error state" : "returned";
        } catch (error) {
          const answer = interrupt(error);
          if (!answer) throw new Error(`${name} ${JSON.stringify(fields).slice(0, 300)} threw: ${String(error)}`, { cause: error });
          outcome = answer;
        }
        tally(`action ${name}`, outcome);
      });
    });
  }
});

/** Findings of the fuzzer on pages, actions and console routes, each kept as a regression test. */
describe("hostile input findings kept as regressions", () => {
  async function render(file: string, searchParams: Record<string, string>, params: Record<string, string> = {}) {
    const { default: Page } = (await import(path.join(APP, file))) as { default: (props: unknown) => Promise<React.ReactElement> };
    return renderToString(createElement(Providers, null, await Page({ params: Promise.resolve(params), searchParams: Promise.resolve(searchParams) })));
  }

  it("/check-email?error=__proto__ renders the page without a message (was a 500 for anyone)", async () => {
    signIn("none");
    const html = await render("(auth)/check-email/page.tsx", { error: "__proto__" });
    expect(html).toContain("Confirm your email");
    expect(html).not.toContain('role="alert"');
    expect(await render("(auth)/check-email/page.tsx", { error: "expired" })).toContain("That link has expired");
  });

  it.each([
    ["(staff)/staff/reports/page.tsx", { from: "0000-01-01", to: "0000-12-31", at: "0000-06-01" }],
    ["(staff)/staff/audit/page.tsx", { from: "0000-01-01", to: "1969-12-31" }],
    ["(staff)/staff/audit/page.tsx", { action: "points\u0000adjust", member: "a\u0000b", actor: "x\u0000@example.com" }],
    ["(staff)/staff/members/page.tsx", { q: "Ada\u0000" }],
  ])("%s with %j renders and says what it ignored (year 0000 and NUL reached PostgreSQL: 500)", async (file, query) => {
    signIn("admin");
    const html = await render(file, query);
    expect(html).toContain('data-testid="ignored-params"');
  });

  it("/history?from=0000-01-01 renders the unfiltered history (PostgreSQL refused the year 0)", async () => {
    signIn("member");
    expect(await render("(portal)/history/page.tsx", { from: "0000-01-01", to: "0000-01-02" })).toContain("Points history");
  });

  it("/staff/members/%E0%A4%A and an id with a NUL are not found (a malformed escape threw)", async () => {
    signIn("admin");
    for (const externalId of ["%E0%A4%A", "a%00b"]) {
      const error = await render("(staff)/staff/members/[externalId]/page.tsx", {}, { externalId }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(interrupt(error)).toBe("404");
    }
  });

  it("the console export answers 400 naming a year-0000 day or a NUL member (was 500)", async () => {
    signIn("admin");
    const { GET } = (await import(path.join(APP, "(staff)/staff/reports/export/route.ts"))) as { GET: (r: Request) => Promise<Response> };
    for (const [query, field] of [
      ["table=flows&from=0000-01-01", "from"],
      ["table=liability&at=0000-01-01", "at"],
      [`table=statement&member=${urlEncode("a\u0000b")}`, "member"],
    ] as const) {
      const response = await GET(new Request(`http://localhost/staff/reports/export?${query}`));
      expect([response.status, ((await response.json()) as { field?: string }).field]).toEqual([400, field]);
    }
  });

  it("the tier recalculation refuses a malformed Origin with 403 (new URL() threw: 500)", async () => {
    signIn("admin");
    const { POST } = (await import(path.join(APP, "(staff)/staff/tiers/recalculate/route.ts"))) as { POST: (r: Request) => Promise<Response> };
    const response = await POST(
      new Request("http://localhost/staff/tiers/recalculate", { method: "POST", headers: { origin: "null-ish", host: "localhost" } }),
    );
    expect(response.status).toBe(403);
  });

  it("staff forms refuse a NUL byte and a non-numeric id with a field error, not 'Something went wrong'", async () => {
    signIn("admin");
    const members = (await import(path.join(APP, "(staff)/staff/members/actions.ts"))) as Record<
      string,
      (s: unknown, f: FormData) => Promise<{ status: string; formError?: string; fieldErrors?: Record<string, string[]> }>
    >;
    const campaigns = (await import(path.join(APP, "(staff)/staff/campaigns/actions.ts"))) as typeof members;
    const form = (fields: Record<string, string>) => {
      const f = new FormData();
      for (const [k, v] of Object.entries(fields)) f.append(k, v);
      return f;
    };
    const nul = await members.adjustPointsAction!({ status: "idle" }, form({ memberId: "1", points: "5", reason: "goodwill\u0000", referenceId: "t-1" }));
    expect(nul.fieldErrors).toHaveProperty("reason");
    const nan = await members.reverseTransactionAction!({ status: "idle" }, form({ memberId: "NaN", transactionId: "1e300", reason: "x" }));
    expect(nan.fieldErrors).toHaveProperty("memberId");
    const huge = await members.adjustPointsAction!({ status: "idle" }, form({ memberId: "1e300", points: "5", reason: "goodwill", referenceId: "t-2" }));
    expect(huge.fieldErrors, JSON.stringify(huge)).toHaveProperty("memberId");
    const far = await campaigns.previewCampaignAction!({ status: "idle" }, form({ amount: "80.00", at: "0000-01-01T00:00:00Z" }));
    expect(far.fieldErrors).toHaveProperty("at");
    const tooFar = await campaigns.createCampaignAction!(
      { status: "idle" },
      form({ name: "Far", multiplier: "2", startsAt: "2027-01-01T00:00", endsAt: "9999-12-31T23:59" }),
    );
    expect(tooFar.fieldErrors).toHaveProperty("endsAt");
  });

  it("a reward window from year 0000 is a field error (it reached the INSERT: 'Something went wrong')", async () => {
    signIn("admin");
    const rewards = (await import(path.join(APP, "(staff)/staff/rewards/actions.ts"))) as Record<
      string,
      (s: unknown, f: FormData) => Promise<{ status: string; fieldErrors?: Record<string, string[]> }>
    >;
    const f = new FormData();
    for (const [k, v] of Object.entries({ name: "Mug", pointsCost: "500", startsAt: "0000-01-01T00:00:00Z", endsAt: "2027-01-01T00:00" })) f.append(k, v);
    const state = await rewards.createRewardAction!({ status: "idle" }, f);
    expect(state.fieldErrors, JSON.stringify(state)).toHaveProperty("startsAt");
  });

  it("sign-up refuses a name with a NUL byte with a message (the users insert failed: 500)", async () => {
    signIn("none");
    const { signUpAction } = (await import(path.join(APP, "(auth)/sign-up/sign-up-action.ts"))) as Record<
      string,
      (s: unknown, f: FormData) => Promise<{ status: string; fieldErrors?: Record<string, string> }>
    >;
    const f = new FormData();
    f.append("name", "Ada\u0000");
    f.append("email", "ada-nul@example.com");
    f.append("password", "correct horse battery staple");
    const state = await signUpAction!({ status: "idle" }, f);
    expect(state.fieldErrors).toHaveProperty("name");
  });
});
