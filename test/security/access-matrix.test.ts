import path from "node:path";
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { inArray } from "drizzle-orm";
import { CredentialsSignin } from "next-auth";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Providers } from "@/app/providers";
import { setDbHandle } from "@/db/client";
import { notifications, userRoles, users, type Role } from "@/db/schema";
import { setCacheStore } from "@/lib/cache/cache";
import { resetEnvCache } from "@/lib/env";
import { forgetApiKeys } from "@/lib/http/api-key-cache";
import { ROUTE_METHODS } from "@/lib/http/methods";
import { API_SCOPES, createApiKey } from "@/lib/loyalty/access/api-keys";
import { requestAdjustment } from "@/lib/loyalty/adjustments/adjustment-requests";
import { createCampaign } from "@/lib/loyalty/campaigns/change-campaigns";
import { ensureMember } from "@/lib/loyalty/members/ensure-member";
import { createReward } from "@/lib/loyalty/program/rewards";
import { createMemberUser, earn } from "../portal/fixtures";
import {
  APP,
  appTargets,
  callRoute,
  databaseFingerprint,
  inProcessSession,
  interrupt,
  urlPath,
  type RouteAnswer,
  type RouteHandler,
} from "../support/in-process-app";
import { createTestDatabase, type TestDatabase } from "../support/test-database";
import { ACTIONS, PAGES, principalsFor, ROUTES, type Allow, type Fixtures, type Principal, type RouteCell, type RouteMethodName } from "./access-table";

/**
 * Issue 10, Proof: the role × action matrix. Every page, server action and route handler found
 * under app/ is called in process (test/support/in-process-app.ts, as the hostile-input fuzzer
 * does) as every principal of test/security/access-table.ts, with a well-formed request, on a real
 * PostgreSQL database. An allowed cell must not be refused for authorization; a refused cell must
 * be answered with 401/403, a redirect to sign-in (or away from an area the account has no part
 * in), forbidden(), or a form error saying so — and leave every table of the database unchanged.
 */

vi.hoisted(() => {
  // forbidden() in staff pages, as next.config.ts enables it for the real server.
  process.env.__NEXT_EXPERIMENTAL_AUTH_INTERRUPTS = "true";
});
vi.mock("@/auth", async (importOriginal) => (await import("../support/in-process-app")).authModule(await importOriginal<object>()));
vi.mock("next/headers", async () => (await import("../support/in-process-app")).headersModule());
vi.mock("next/cache", async () => (await import("../support/in-process-app")).cacheModule());

const CRON_SECRET = "matrix-cron-secret-0123456789abcdef";
const METRICS_TOKEN = "matrix-metrics-token-0123456789abcdef";
/** What the app says when it refuses a form for who is asking (lib/auth/session.ts, lib/forms/staff-form.ts, lib/portal/actions/member-guard.ts). */
const FORM_REFUSAL = /^(Your session has ended\. Please sign in again\.|You are not allowed to do this\.|Only members can do this\.)$/;
/** Where a refused page sends someone: sign in, or out of an area the account has no part in. */
const PAGE_REFUSAL = /^(403|redirect:\/sign-in(\?.*)?|redirect:\/staff|redirect:\/check-email)$/;

const { pages: pageFiles, routes: routeFiles, actions: actionFiles } = appTargets();

let t: TestDatabase;
let fx: Fixtures;
const sessionUsers: Record<string, string> = {};
const bearer: Record<string, string> = {};

/** The cells and their outcomes, printed at the end: the matrix as run. */
const ran: { target: string; principal: Principal; allowed: boolean; outcome: string }[] = [];

function isAllowed(allow: Allow, principal: Principal) {
  return allow === "everyone" || allow.includes(principal);
}

function actAs(principal: Principal): Record<string, string> {
  inProcessSession.userId = sessionUsers[principal] ?? null;
  return bearer[principal] ? { authorization: `Bearer ${bearer[principal]}` } : {};
}

/** Refused cells first, so an allowed one cannot have used up what a refused one would need. */
function ordered(principals: Principal[], allow: Allow): Principal[] {
  return [...principals.filter((p) => !isAllowed(allow, p)), ...principals.filter((p) => isAllowed(allow, p))];
}

async function staffUser(roles: Role[], email: string): Promise<string> {
  const [user] = await t.db
    .insert(users)
    .values({ email, name: email.split("@")[0] })
    .returning({ id: users.id });
  await t.db.insert(userRoles).values(roles.map((role) => ({ userId: user!.id, role })));
  return user!.id;
}

beforeAll(async () => {
  process.env.CRON_SECRET = CRON_SECRET;
  process.env.METRICS_TOKEN = METRICS_TOKEN;
  resetEnvCache();
  t = await createTestDatabase();
  setDbHandle(t.connect());
  await setCacheStore(undefined)?.close();
  forgetApiKeys();

  const member = await createMemberUser(t.db);
  await earn(t.db, member.externalId, 100_000);
  sessionUsers.member = member.id;
  for (const role of ["marketing", "support", "admin"] as const) sessionUsers[role] = await staffUser([role], `matrix-${role}@example.com`);
  for (const scope of API_SCOPES) bearer[`key:${scope}`] = (await createApiKey(t.db, { name: `matrix-${scope}`, scopes: [scope] })).key;
  bearer.cron = CRON_SECRET;
  bearer.metrics = METRICS_TOKEN;

  const requester = await staffUser(["support"], "matrix-requester@example.com");
  const staffUserId = await staffUser(["marketing"], "matrix-target@example.com");
  const system = { kind: "system", name: "matrix" } as const;
  const { member: target } = await ensureMember(t.db, { externalId: "matrix-target-member", name: "Target Member" });
  const earned = await earn(t.db, "matrix-target-member", 100_000);
  const campaign = await createCampaign(
    t.db,
    {
      name: "Matrix seed campaign",
      multiplier: "2",
      startsAt: new Date(Date.now() + 20 * 86_400_000).toISOString(),
      endsAt: new Date(Date.now() + 21 * 86_400_000).toISOString(),
    },
    { actor: system },
  );
  const reward = await createReward(t.db, { name: "Matrix seed reward", pointsCost: 100, stock: 10, active: true }, { actor: system });
  const pendingOf = async (ref: string) => {
    const outcome = await requestAdjustment(
      t.db,
      { kind: "user", id: requester, roles: ["support"] },
      { memberId: target.id, points: 20_000, reason: "Matrix: big", referenceId: ref },
    );
    if (outcome.status !== "pending") throw new Error(`expected a pending request, got ${JSON.stringify(outcome)}`);
    return outcome.requestId;
  };
  const [notification] = await t.db
    .insert(notifications)
    .values({ memberId: member.memberId!, kind: "expiry_reminder", thresholdDays: 7, expiresOn: "2027-05-01", points: 120 })
    .returning({ id: notifications.id });
  let counter = 0;
  fx = {
    memberExternalId: target.externalId,
    memberId: target.id,
    transactionId: Number((earned as { transactionId?: number | string }).transactionId),
    campaignId: campaign.id,
    rewardId: reward.id,
    approveRequestId: await pendingOf("matrix-approve"),
    rejectRequestId: await pendingOf("matrix-reject"),
    notificationId: notification!.id,
    staffUserId,
    rotateKeyId: (await createApiKey(t.db, { name: "matrix-rotate", scopes: ["events:write"] })).apiKey.id,
    revokeKeyId: (await createApiKey(t.db, { name: "matrix-revoke", scopes: ["events:write"] })).apiKey.id,
    n: () => ++counter,
  };
  expect(Number.isInteger(fx.transactionId)).toBe(true);
});

afterAll(async () => {
  inProcessSession.userId = null;
  const allowed = ran.filter((r) => r.allowed).length;
  console.log(`access matrix: ${ran.length} cells (${allowed} allowed, ${ran.length - allowed} refused)`);
  const outcomes = new Map<string, number>();
  for (const r of ran)
    outcomes.set(`${r.allowed ? "allowed" : "refused"} → ${r.outcome}`, (outcomes.get(`${r.allowed ? "allowed" : "refused"} → ${r.outcome}`) ?? 0) + 1);
  for (const [k, v] of [...outcomes].sort()) console.log(`  ${k.padEnd(50)} ${v}`);
  setDbHandle(undefined);
  await setCacheStore(undefined)?.close();
  await t?.drop();
  delete process.env.METRICS_TOKEN;
  resetEnvCache();
});

/** Runs one cell: `call` answers with an outcome label; a refused cell must also write nothing. */
async function cell(target: string, principal: Principal, allowed: boolean, call: () => Promise<string>, check: (outcome: string) => void) {
  // An allowed "sign out everywhere" or password change ended the principal's sessions: start each cell signed in again.
  await t.db
    .update(users)
    .set({ sessionVersion: 0 })
    .where(inArray(users.id, Object.values(sessionUsers)));
  const before = allowed ? null : await databaseFingerprint(t.db);
  const outcome = await call();
  ran.push({ target, principal, allowed, outcome });
  check(outcome);
  if (before) {
    const after = await databaseFingerprint(t.db);
    const changed = Object.keys(after).filter((k) => after[k] !== before[k]);
    expect(changed, `${target} as ${principal} (refused) changed tables`).toEqual([]);
  }
}

describe("the access table covers every target on disk", () => {
  it("lists every page, route handler and server-action file, and nothing that is gone", () => {
    expect(
      pageFiles.filter((f) => !PAGES[f]),
      "pages missing from the access table",
    ).toEqual([]);
    expect(
      routeFiles.filter((f) => !ROUTES[f]),
      "routes missing from the access table",
    ).toEqual([]);
    expect(
      actionFiles.filter((f) => !ACTIONS[f]),
      "server-action files missing from the access table",
    ).toEqual([]);
    expect(
      Object.keys(PAGES).filter((f) => !pageFiles.includes(f)),
      "pages in the table that are gone",
    ).toEqual([]);
    expect(
      Object.keys(ROUTES).filter((f) => !routeFiles.includes(f)),
      "routes in the table that are gone",
    ).toEqual([]);
    expect(
      Object.keys(ACTIONS).filter((f) => !actionFiles.includes(f)),
      "action files in the table that are gone",
    ).toEqual([]);
  });

  it.each(actionFiles)("%s: every exported function is in the table", async (file) => {
    const mod = (await import(path.join(APP, file))) as Record<string, unknown>;
    const exported = Object.keys(mod)
      .filter((k) => typeof mod[k] === "function")
      .sort();
    expect(exported).toEqual(Object.keys(ACTIONS[file] ?? {}).sort());
  });
});

describe.each(pageFiles.filter((f) => PAGES[f]))("page %s", (file) => {
  const spec = PAGES[file]!;
  it.each(ordered(principalsFor("page", file), spec.allow))("as %s", async (principal) => {
    const { default: Page } = (await import(path.join(APP, file))) as { default: (props: unknown) => Promise<React.ReactElement> };
    const allowed = isAllowed(spec.allow, principal);
    await cell(
      `page ${urlPath(file)}`,
      principal,
      allowed,
      async () => {
        actAs(principal);
        try {
          const page = await Page({ params: Promise.resolve(spec.params?.(fx) ?? {}), searchParams: Promise.resolve(spec.search?.(fx) ?? {}) });
          renderToString(createElement(Providers, null, page));
          return "rendered";
        } catch (error) {
          const answer = interrupt(error);
          if (!answer) throw error;
          return answer;
        }
      },
      (outcome) => {
        if (allowed) expect(outcome, `${file} as ${principal}`).not.toMatch(spec.allow === "everyone" ? /^(403|401)$/ : PAGE_REFUSAL);
        // A signed-in visitor of /sign-in or /sign-up is sent on: that is not a refusal.
        if (allowed && spec.allow !== "everyone") expect(outcome, `${file} as ${principal}`).toBe("rendered");
        if (!allowed) expect(outcome, `${file} as ${principal}`).toMatch(PAGE_REFUSAL);
        if (!allowed && principal === "anonymous") expect(outcome).toMatch(/^redirect:\/sign-in/);
      },
    );
  });
});

describe.each(actionFiles.filter((f) => ACTIONS[f]))("server actions of %s", (file) => {
  for (const [name, spec] of Object.entries(ACTIONS[file]!)) {
    it.each(ordered(principalsFor("action", file), spec.allow))(`${name} as %s`, async (principal) => {
      const mod = (await import(path.join(APP, file))) as Record<string, (...args: unknown[]) => Promise<unknown>>;
      const allowed = isAllowed(spec.allow, principal);
      const fields = spec.form?.(fx) ?? {};
      await cell(
        `action ${name}`,
        principal,
        allowed,
        async () => {
          actAs(principal);
          const form = new FormData();
          for (const [k, v] of Object.entries(fields)) for (const value of Array.isArray(v) ? v : [v]) form.append(k, value);
          try {
            const state = (spec.returns === "state" ? await mod[name]!({ status: "idle" }, form) : await mod[name]!(form)) as
              { status: string; formError?: string } | undefined;
            if (spec.returns === "void") return "returned";
            return state?.status === "error" ? `error: ${state.formError ?? "(fields)"}` : (state?.status ?? "undefined");
          } catch (error) {
            // The stand-in auth answers a credentials sign-in (after a sign-up) as a wrong password.
            if (error instanceof CredentialsSignin) return "credentials sign-in";
            const answer = interrupt(error);
            if (!answer) throw error;
            return answer;
          }
        },
        (outcome) => {
          const refusal = /^error: /.test(outcome) && FORM_REFUSAL.test(outcome.slice(7));
          const interrupted = /^(401|403|redirect:\/sign-in)/.test(outcome);
          if (allowed && spec.allowedOutcome) {
            expect(outcome, `${name} as ${principal}`).toMatch(spec.allowedOutcome);
          } else if (allowed) {
            expect(refusal, `${name} as ${principal}: ${outcome}`).toBe(false);
            if (spec.allow !== "everyone") expect(interrupted, `${name} as ${principal}: ${outcome}`).toBe(false);
          } else {
            // A void action has no answer to show: that it wrote nothing is the refusal.
            expect(refusal || interrupted || (spec.returns === "void" && outcome === "returned"), `${name} as ${principal}: ${outcome}`).toBe(true);
          }
        },
      );
    });
  }
});

function casesOf(cells: RouteCell | RouteCell[] | undefined): RouteCell[] {
  return cells === undefined ? [] : Array.isArray(cells) ? cells : [cells];
}

async function send(file: string, method: string, principal: Principal, request: ReturnType<NonNullable<RouteCell["request"]>> = {}): Promise<RouteAnswer> {
  const mod = (await import(path.join(APP, file))) as Record<string, RouteHandler | undefined>;
  const headers = { ...request.headers, ...actAs(principal) };
  const body = request.body === undefined || method === "GET" ? undefined : typeof request.body === "string" ? request.body : JSON.stringify(request.body);
  const params = request.params ?? {};
  const where = urlPath(file, params);
  return callRoute(mod[method]!, { url: `http://localhost${where}${request.query ? `?${request.query}` : ""}`, method, headers, body, params });
}

const isAuthRefusal = (answer: RouteAnswer, publicRoute = false) =>
  answer.status === 401 ||
  answer.status === 403 ||
  (!publicRoute && answer.status >= 300 && answer.status < 400 && /\/sign-in(\?|$)/.test(answer.headers.get("location") ?? ""));

describe.each(routeFiles.filter((f) => ROUTES[f]))("route %s", (file) => {
  const row = ROUTES[file]!;
  const served = Object.entries(row) as [RouteMethodName, RouteCell | RouteCell[]][];
  for (const [method, cells] of served) {
    for (const spec of casesOf(cells)) {
      it.each(ordered(principalsFor("route", file), spec.allow))(`${method}${spec.name ? ` ${spec.name}` : ""} as %s`, async (principal) => {
        const allowed = isAllowed(spec.allow, principal);
        let answer: RouteAnswer | undefined;
        await cell(
          `${method} ${urlPath(file)}${spec.name ? ` ${spec.name}` : ""}`,
          principal,
          allowed,
          async () => {
            answer = await send(file, method, principal, spec.request?.(fx));
            return String(answer.status);
          },
          () => {
            const detail = `${method} ${file} as ${principal}: ${answer!.status} ${answer!.text.slice(0, 200)}`;
            expect(answer!.status, detail).toBeLessThan(500);
            // Auth.js's own endpoints answer with redirects to its sign-in page: that is their flow, not a refusal.
            if (allowed) expect(isAuthRefusal(answer!, spec.allow === "everyone"), detail).toBe(false);
            else expect(isAuthRefusal(answer!), detail).toBe(true);
          },
        );
      });
    }
  }

  it("answers every other exported method with 405 method_not_allowed (OPTIONS 204) to everyone, writing nothing", async () => {
    const mod = (await import(path.join(APP, file))) as Record<string, unknown>;
    const others = [...ROUTE_METHODS, "OPTIONS", "HEAD"].filter((m) => typeof mod[m] === "function" && !row[m as RouteMethodName]);
    const before = await databaseFingerprint(t.db);
    for (const method of others) {
      for (const principal of principalsFor("route", file)) {
        const answer = await send(file, method, principal, { body: {} });
        const detail = `${method} ${file} as ${principal}: ${answer.status} ${answer.text.slice(0, 200)}`;
        if (method === "OPTIONS") expect(answer.status, detail).toBe(204);
        else expect([answer.status, (answer.body as { error?: string } | undefined)?.error], detail).toEqual([405, "method_not_allowed"]);
      }
    }
    expect(await databaseFingerprint(t.db)).toEqual(before);
  });
});
