import path from "node:path";
import { and, asc, eq, gt } from "drizzle-orm";
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Providers } from "@/app/providers";
import { setDbHandle } from "@/db/client";
import { auditLog } from "@/db/schema";
import { verifyCredentials } from "@/lib/auth/credentials";
import { memoryThrottle } from "@/lib/auth/sign-in-throttle";
import { signUp, signUpSchema } from "@/lib/auth/sign-up";
import { createStaffAccount, setStaffRoles } from "@/lib/auth/staff-accounts";
import { verifyMemberLink } from "@/lib/auth/verify-member-link";
import { setCacheStore } from "@/lib/cache/cache";
import { createApiKey } from "@/lib/loyalty/access/api-keys";
import { revokeApiKey, rotateApiKey } from "@/lib/loyalty/access/api-key-lifecycle";
import { approveAdjustment, rejectAdjustment, requestAdjustment } from "@/lib/loyalty/adjustments/adjustment-requests";
import { queryAudit } from "@/lib/loyalty/audit/audit-log";
import { AUDIT_FAMILIES } from "@/lib/loyalty/audit/audit-families";
import { ensureMember } from "@/lib/loyalty/members/ensure-member";
import type { Actor } from "@/lib/loyalty/access/staff-permissions";
import { APP, inProcessSession } from "../support/in-process-app";
import { createTestDatabase, type TestDatabase } from "../support/test-database";

/**
 * Issue 10, "Audit everything privileged": each privileged change or read leaves one entry with
 * its actor and what it did, written in the same transaction: role grants and revocations, staff
 * accounts, API keys (create, revoke, rotate), sign-ins (success, failure, throttled), approvals,
 * linking a member to an account, and exports of personal data; and the audit page filters them.
 */

vi.hoisted(() => {
  process.env.__NEXT_EXPERIMENTAL_AUTH_INTERRUPTS = "true";
});
vi.mock("@/auth", async (importOriginal) => (await import("../support/in-process-app")).authModule(await importOriginal<object>()));
vi.mock("next/headers", async () => (await import("../support/in-process-app")).headersModule());
vi.mock("next/cache", async () => (await import("../support/in-process-app")).cacheModule());

let t: TestDatabase;
let admin: Actor & { kind: "user" };
let adminId: string;
let lastId = 0;

/** The entries written since the previous call, oldest first. */
async function newEntries() {
  const rows = await t.db.select().from(auditLog).where(gt(auditLog.id, lastId)).orderBy(asc(auditLog.id));
  lastId = rows.at(-1)?.id ?? lastId;
  return rows;
}

beforeAll(async () => {
  t = await createTestDatabase();
  setDbHandle(t.connect());
  await setCacheStore(undefined)?.close();
  const created = await createStaffAccount(t.db, "cli", { email: "audit-admin@example.com", roles: ["admin"], password: "a long admin passphrase" });
  adminId = created.user.id;
  admin = { kind: "user", id: adminId, roles: ["admin"] };
  await newEntries();
});

afterAll(async () => {
  inProcessSession.userId = null;
  setDbHandle(undefined);
  await t?.drop();
});

describe("privileged changes are audited with their actor", () => {
  it("staff account creation, role grants and revocations", async () => {
    const created = await createStaffAccount(t.db, admin, { email: "audit-agent@example.com", roles: ["support"], reason: "New hire" });
    await setStaffRoles(t.db, admin, { userId: created.user.id, roles: ["marketing"], reason: "Moved team" });
    const entries = await newEntries();
    expect(entries.map((e) => [e.action, e.actor])).toEqual(
      expect.arrayContaining([
        ["user.create", `user:${adminId}`],
        ["user.grant_roles", `user:${adminId}`],
        ["user.revoke_roles", `user:${adminId}`],
      ]),
    );
    const revoke = entries.find((e) => e.action === "user.revoke_roles")!;
    expect(revoke.before).toMatchObject({ roles: expect.arrayContaining(["support"]) });
    expect(revoke.after).toMatchObject({ roles: ["marketing"] });
    expect(revoke.reason).toBe("Moved team");
  });

  it("API key creation, rotation and revocation", async () => {
    const { apiKey } = await createApiKey(t.db, { name: "audit-shop", scopes: ["events:write"] }, { actor: admin });
    const rotated = await rotateApiKey(t.db, apiKey.id, { actor: admin });
    await revokeApiKey(t.db, rotated.apiKey.id, { actor: admin });
    const entries = await newEntries();
    expect(entries.map((e) => [e.action, e.actor])).toEqual([
      ["api_key.created", `user:${adminId}`],
      ["api_key.rotated", `user:${adminId}`],
      ["api_key.revoked", `user:${adminId}`],
    ]);
    expect(JSON.stringify(entries)).not.toContain(rotated.key);
  });

  it("sign-ins: success, failure and throttled, never with the password", async () => {
    const throttle = memoryThrottle({
      account_address: { points: 2, durationS: 60 },
      account: { points: 100, durationS: 60 },
      address: { points: 100, durationS: 60 },
    });
    const good = { email: "audit-admin@example.com", password: "a long admin passphrase" };
    expect((await verifyCredentials(t.db, throttle, good, "198.51.100.7")).ok).toBe(true);
    for (let i = 0; i < 3; i++) await verifyCredentials(t.db, throttle, { ...good, password: "wrong guess number " + i }, "203.0.113.9");
    const entries = await newEntries();
    expect(entries.map((e) => [e.action, e.actor])).toEqual([
      ["auth.sign_in", `user:${adminId}`],
      ["auth.sign_in_failed", "address:203.0.113.9"],
      ["auth.sign_in_failed", "address:203.0.113.9"],
      ["auth.sign_in_throttled", "address:203.0.113.9"],
    ]);
    expect(JSON.stringify(entries)).not.toMatch(/passphrase|wrong guess/);
  });

  it("approvals and rejections of adjustments, with the request's requester and the decider", async () => {
    const agent = await createStaffAccount(t.db, admin, { email: "audit-support@example.com", roles: ["support"] });
    const support: Actor = { kind: "user", id: agent.user.id, roles: ["support"] };
    const { member } = await ensureMember(t.db, { externalId: "audit-member", name: "Audited" });
    const ask = async (ref: string) => {
      const outcome = await requestAdjustment(t.db, support, { memberId: member.id, points: 20_000, reason: "Big goodwill", referenceId: ref });
      if (outcome.status !== "pending") throw new Error("expected a pending request");
      return outcome.requestId;
    };
    const [a, b] = [await ask("audit-approve"), await ask("audit-reject")];
    await approveAdjustment(t.db, admin, a);
    await rejectAdjustment(t.db, admin, b, "Not justified");
    const entries = await newEntries();
    const decisions = entries.filter((e) => e.action === "adjustment.approve" || e.action === "adjustment.reject");
    expect(decisions.map((e) => [e.action, e.actor, e.memberId])).toEqual([
      ["adjustment.approve", `user:${adminId}`, member.id],
      ["adjustment.reject", `user:${adminId}`, member.id],
    ]);
    expect(entries.filter((e) => e.action === "adjustment.request").map((e) => e.actor)).toEqual([`user:${agent.user.id}`, `user:${agent.user.id}`]);
  });

  it("linking a member to an account: at sign-up (a new member) and by the emailed link (an existing one)", async () => {
    const fresh = await signUp(t.db, signUpSchema.parse({ name: "New", email: "audit-new@example.com", password: "password-one-1" }), new Date());
    if (!fresh.ok || fresh.status !== "enrolled") throw new Error(`expected an enrolled sign-up, got ${JSON.stringify(fresh)}`);
    const { member } = await ensureMember(t.db, { externalId: "audit-shop-member", email: "audit-shopper@example.com", name: "Shopper" });
    const pending = await signUp(t.db, signUpSchema.parse({ name: "Shopper", email: "audit-shopper@example.com", password: "password-one-1" }), new Date());
    if (!pending.ok || pending.status !== "pending") throw new Error(`expected a pending sign-up, got ${JSON.stringify(pending)}`);
    expect((await newEntries()).filter((e) => e.action === "member.link").map((e) => [e.targetId, (e.after as { via: string }).via])).toEqual([
      [fresh.userId, "new member at sign-up"],
    ]);
    expect(await verifyMemberLink(t.db, pending.userId, pending.token, new Date())).toEqual({ ok: true, memberId: member.id });
    const entries = await newEntries();
    expect(entries.map((e) => [e.action, e.actor, e.memberId, (e.after as { via: string }).via])).toEqual([
      ["member.link", `user:${pending.userId}`, member.id, "emailed link"],
    ]);
    // A spent or wrong token links nothing and writes nothing.
    expect((await verifyMemberLink(t.db, pending.userId, pending.token, new Date())).ok).toBe(false);
    expect(await newEntries()).toEqual([]);
  });

  it("exports: each CSV the console sends, with its actor, table and parameters (a statement names its member); refused exports write nothing", async () => {
    const { GET } = (await import(path.join(APP, "(staff)/staff/reports/export/route.ts"))) as { GET: (r: Request) => Promise<Response> };
    const get = async (query: string) => {
      const response = await GET(new Request(`http://localhost/staff/reports/export?${query}`));
      await response.text();
      return response.status;
    };
    const agent = await createStaffAccount(t.db, admin, { email: "audit-exporter@example.com", roles: ["support"] });
    inProcessSession.userId = agent.user.id;
    expect(await get("table=flows&from=2026-01-01&to=2026-01-31")).toBe(403);
    expect(await get("table=statement&member=audit-member")).toBe(200);
    inProcessSession.userId = adminId;
    expect(await get("table=flows&from=2026-01-01&to=2026-01-31")).toBe(200);
    expect(await get("table=statement&member=nobody-at-all")).toBe(404);
    inProcessSession.userId = null;
    expect(await get("table=tiers")).toBe(401);
    const entries = (await newEntries()).filter((e) => e.action.startsWith("export."));
    const [member] = await t.db
      .select({ id: auditLog.memberId })
      .from(auditLog)
      .where(and(eq(auditLog.action, "adjustment.approve")));
    expect(entries.map((e) => [e.action, e.actor, e.targetType, e.targetId, e.memberId, e.after])).toEqual([
      ["export.statement", `user:${agent.user.id}`, "member", "audit-member", member!.id, { format: "csv", table: "statement", member: "audit-member" }],
      ["export.flows", `user:${adminId}`, "report", "flows", null, { format: "csv", table: "flows", from: "2026-01-01", to: "2026-01-31" }],
    ]);
  });
});

describe("the audit page filters by kind, actor and date", () => {
  async function render(searchParams: Record<string, string>) {
    inProcessSession.userId = adminId;
    const { default: Page } = (await import(path.join(APP, "(staff)/staff/audit/page.tsx"))) as { default: (props: unknown) => Promise<React.ReactElement> };
    return renderToString(createElement(Providers, null, await Page({ params: Promise.resolve({}), searchParams: Promise.resolve(searchParams) })));
  }
  const actionsIn = (html: string) =>
    [
      ...new Set(
        [...html.matchAll(/<td[^>]*>((?:auth|user|api_key|adjustment|reversal|points|member|members|export|campaign|reward|tiers)\.[a-z_]+)<\/td>/g)].map(
          (m) => m[1],
        ),
      ),
    ].sort();

  it("each kind lists only its actions", async () => {
    expect(actionsIn(await render({ kind: "api-keys" }))).toEqual(["api_key.created", "api_key.revoked", "api_key.rotated"]);
    expect(actionsIn(await render({ kind: "sign-in" }))).toEqual(["auth.sign_in", "auth.sign_in_failed", "auth.sign_in_throttled"]);
    expect(actionsIn(await render({ kind: "exports" }))).toEqual(["export.flows", "export.statement"]);
    expect(actionsIn(await render({ kind: "member-links" }))).toEqual(["member.link"]);
    expect(actionsIn(await render({ kind: "approvals" }))).toEqual(["adjustment.approve", "adjustment.reject", "adjustment.request"]);
  });

  it("combines a kind with an actor and a date range; an unknown kind is ignored and said so", async () => {
    const html = await render({ kind: "exports", actor: "audit-admin@example.com", from: new Date().toISOString().slice(0, 10) });
    expect(actionsIn(html)).toEqual(["export.flows"]);
    expect(actionsIn(await render({ kind: "exports", to: "2020-01-01" }))).toEqual([]);
    const bogus = await render({ kind: "__proto__" });
    expect(bogus).toContain('data-testid="ignored-params"');
    expect(actionsIn(bogus).length).toBeGreaterThan(5);
  });

  it("every family's prefixes match real actions only by prefix (LIKE wildcards escaped)", async () => {
    for (const family of Object.values(AUDIT_FAMILIES)) {
      const { items } = await queryAudit(t.db, { actionPrefixes: family.prefixes }, { limit: 200 });
      for (const e of items)
        expect(
          family.prefixes.some((p) => e.action.startsWith(p)),
          `${e.action} under ${family.label}`,
        ).toBe(true);
    }
    // "api_key." must not match "apixkey.": the underscore is literal.
    await t.db.insert(auditLog).values({ actor: "test", action: "apixkey.created", targetType: "x", targetId: "1" });
    const { items } = await queryAudit(t.db, { actionPrefixes: AUDIT_FAMILIES["api-keys"].prefixes });
    expect(items.map((e) => e.action)).not.toContain("apixkey.created");
  });
});
