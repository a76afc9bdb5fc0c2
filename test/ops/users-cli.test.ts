import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import { auditLog, userRoles, users, verificationTokens } from "@/db/schema";
import { verifyCredentials } from "@/lib/auth/credentials";
import { verifyPassword } from "@/lib/auth/password";
import { PASSWORD_LINK_TTL_MS, setPasswordFromLink } from "@/lib/auth/password-link";
import { memoryThrottle } from "@/lib/auth/sign-in-throttle";
import { createTestDatabase, type TestDatabase } from "../support/test-database";
import { childEnv, type CliRun } from "./support/run-cli";

const ROOT = path.resolve(import.meta.dirname, "../..");
const TSX = path.join(ROOT, "node_modules/.bin/tsx");

/** `npm run cli -- …` as a child process, with `stdin` piped in (and closed) when given. */
function cli(args: string[], env: Record<string, string>, stdin?: string): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(TSX, ["scripts/cli.ts", ...args], { cwd: ROOT, env: childEnv(env), stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
    if (stdin !== undefined) child.stdin.end(stdin);
    else child.stdin.end();
  });
}

const LINK = /^http:\/\/localhost:3000\/set-password\?user=([0-9a-f-]{36})&token=([A-Za-z0-9_-]{43})$/m;

describe("npm run cli -- users (against PostgreSQL)", () => {
  let t: TestDatabase;
  let env: Record<string, string>;
  beforeAll(async () => {
    t = await createTestDatabase();
    env = { DATABASE_URL: t.url };
  });
  afterAll(() => t.drop());

  const userByEmail = async (email: string) => (await t.db.select().from(users).where(eq(users.email, email)))[0];
  const rolesOf = async (userId: string) =>
    (await t.db.select({ role: userRoles.role }).from(userRoles).where(eq(userRoles.userId, userId))).map((r) => r.role).sort();
  const auditOf = (userId: string) => t.db.select().from(auditLog).where(eq(auditLog.targetId, userId)).orderBy(auditLog.id);

  it("create --password-stdin makes the first admin, argon2id-hashed, able to sign in, and audited without the secret", async () => {
    const run = await cli(
      ["users", "create", "--email", "Ops@Example.com", "--roles", "admin,support", "--name", "Ops", "--password-stdin", "--reason", "first admin"],
      env,
      "a long enough secret\n",
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Created ops@example.com (admin, support)");
    expect(run.stdout).not.toContain("a long enough secret");
    const user = (await userByEmail("ops@example.com"))!;
    expect(user.passwordHash).toMatch(/^\$argon2id\$/);
    // The one line break a pipe adds is not part of the password.
    expect(await verifyPassword("a long enough secret", user.passwordHash!)).toBe(true);
    expect(await rolesOf(user.id)).toEqual(["admin", "support"]);
    const signIn = await verifyCredentials(t.db, memoryThrottle(), { email: "ops@example.com", password: "a long enough secret" }, "10.1.1.1");
    expect(signIn.ok).toBe(true);

    const [entry, ...more] = await auditOf(user.id);
    expect(more).toEqual([]);
    expect(entry).toMatchObject({
      actor: "cli",
      action: "user.create",
      targetType: "user",
      reason: "first admin",
      before: null,
      after: { email: "ops@example.com", name: "Ops", roles: ["admin", "support"], password: "set" },
    });
    expect(JSON.stringify(entry)).not.toMatch(/argon2|secret/);
  });

  it("create refuses a short password, an unknown or member role, a taken email in any case, and writes nothing", async () => {
    const before = await t.db.$count(users);
    const auditBefore = await t.db.$count(auditLog);
    const short = await cli(["users", "create", "--email", "s@example.com", "--roles", "support", "--password-stdin"], env, "elevenchars\n");
    expect(short.code).toBe(1);
    expect(short.stderr).toContain("Use at least 12 characters.");
    const role = await cli(["users", "create", "--email", "r@example.com", "--roles", "admin,root", "--password-stdin"], env, "long enough password");
    expect(role.code).toBe(1);
    expect(role.stderr).toMatch(/Unknown role\(s\): root/);
    const member = await cli(["users", "create", "--email", "m@example.com", "--roles", "member"], env);
    expect(member.code).toBe(1);
    expect(member.stderr).toMatch(/Unknown role\(s\): member/);
    const taken = await cli(["users", "create", "--email", "OPS@EXAMPLE.COM", "--roles", "marketing", "--password-stdin"], env, "another long password");
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/already exists: grant it roles instead/);
    const noEmail = await cli(["users", "create", "--roles", "admin"], env);
    expect(noEmail.code).toBe(1);
    expect(noEmail.stderr).toMatch(/--email is required/);
    expect(await t.db.$count(users)).toBe(before);
    expect(await t.db.$count(auditLog)).toBe(auditBefore);
  });

  it("create without --password-stdin prints a one-time link, stores only its hash, and the link sets the password once", async () => {
    const run = await cli(["users", "create", "--email", "sam@example.com", "--roles", "support"], env);
    expect(run.code).toBe(0);
    const [, userId, token] = run.stdout.match(LINK)!;
    const user = (await userByEmail("sam@example.com"))!;
    expect(userId).toBe(user.id);
    expect(user.passwordHash).toBeNull();
    const stored = await t.db
      .select()
      .from(verificationTokens)
      .where(eq(verificationTokens.identifier, `password-set:${user.id}`));
    expect(stored).toHaveLength(1);
    expect(stored[0]!.token).not.toBe(token);
    expect(stored[0]!.token).toMatch(/^[0-9a-f]{64}$/);
    expect(stored[0]!.expires.getTime() - Date.now()).toBeGreaterThan(PASSWORD_LINK_TTL_MS - 120_000);
    expect((await auditOf(user.id))[0]).toMatchObject({ action: "user.create", after: { password: "one-time link" } });

    // No sign-in without a password.
    expect((await verifyCredentials(t.db, memoryThrottle(), { email: "sam@example.com", password: "anything at all" }, "10.1.1.2")).ok).toBe(false);
    expect(await setPasswordFromLink(t.db, { userId, token: token!.replace(/.$/, (c) => (c === "A" ? "B" : "A")), password: "sam's new password" })).toEqual({
      ok: false,
      reason: "invalid",
    });
    expect(await setPasswordFromLink(t.db, { userId, token, password: "sam's new password" })).toEqual({ ok: true, email: "sam@example.com" });
    expect(await setPasswordFromLink(t.db, { userId, token, password: "a second try here" })).toEqual({ ok: false, reason: "invalid" });
    expect((await verifyCredentials(t.db, memoryThrottle(), { email: "sam@example.com", password: "sam's new password" }, "10.1.1.2")).ok).toBe(true);
    expect((await auditOf(user.id)).map((e) => [e.actor, e.action])).toEqual([
      ["cli", "user.create"],
      [`user:${user.id}`, "user.password_set"],
    ]);
  });

  it("users link replaces the link; an expired link is refused and spent; concurrent uses set the password once", async () => {
    const first = (await cli(["users", "link", "--email", "sam@example.com"], env)).stdout.match(LINK)!;
    const second = (await cli(["users", "link", "--email", "sam@example.com"], env)).stdout.match(LINK)!;
    const userId = first[1]!;
    expect(await setPasswordFromLink(t.db, { userId, token: first[2], password: "from the old link" })).toEqual({ ok: false, reason: "invalid" });
    const late = new Date(Date.now() + PASSWORD_LINK_TTL_MS + 1000);
    expect(await setPasswordFromLink(t.db, { userId, token: second[2], password: "too late for this" }, late)).toEqual({ ok: false, reason: "expired" });
    expect(await setPasswordFromLink(t.db, { userId, token: second[2], password: "too late for this" })).toEqual({ ok: false, reason: "invalid" });

    const third = (await cli(["users", "link", "--email", "sam@example.com"], env)).stdout.match(LINK)!;
    const racers = await Promise.all(
      Array.from({ length: 5 }, (_, i) => setPasswordFromLink(t.db, { userId, token: third[2], password: `racer number ${i} wins` })),
    );
    expect(racers.filter((r) => r.ok)).toHaveLength(1);
    const winner = racers.findIndex((r) => r.ok);
    expect(await verifyPassword(`racer number ${winner} wins`, (await userByEmail("sam@example.com"))!.passwordHash!)).toBe(true);
    expect((await auditOf(userId)).filter((e) => e.action === "user.password_link")).toHaveLength(3);

    const member = await t.db.insert(users).values({ email: "shopper@example.com" }).returning();
    await t.db.insert(userRoles).values({ userId: member[0]!.id, role: "member" });
    const refused = await cli(["users", "link", "--email", "shopper@example.com"], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/Only staff accounts/);
  });

  it("grant and revoke change roles with before/after in the audit log, and the last admin keeps admin", async () => {
    const sam = (await userByEmail("sam@example.com"))!;
    const grant = await cli(["users", "grant", "--email", "SAM@example.com", "--roles", "marketing,admin", "--reason", "covering"], env);
    expect(grant.code).toBe(0);
    expect(grant.stdout).toContain("sam@example.com: roles support → admin, marketing, support.");
    expect(await rolesOf(sam.id)).toEqual(["admin", "marketing", "support"]);

    const ops = (await userByEmail("ops@example.com"))!;
    const revokeOps = await cli(["users", "revoke", "--email", "ops@example.com", "--roles", "admin"], env);
    expect(revokeOps.code).toBe(0);
    // Sam is the last admin now: refused, nothing changes.
    const last = await cli(["users", "revoke", "--email", "sam@example.com", "--roles", "admin,marketing"], env);
    expect(last.code).toBe(1);
    expect(last.stderr).toContain("This is the last administrator");
    expect(await rolesOf(sam.id)).toEqual(["admin", "marketing", "support"]);
    const revokeSam = await cli(["users", "revoke", "--email", "sam@example.com", "--roles", "marketing"], env);
    expect(revokeSam.stdout).toContain("sam@example.com: roles admin, marketing, support → admin, support.");

    const samAudit = (await auditOf(sam.id)).filter((e) => e.action.endsWith("_roles"));
    expect(samAudit.map((e) => ({ actor: e.actor, action: e.action, reason: e.reason, before: e.before, after: e.after }))).toEqual([
      {
        actor: "cli",
        action: "user.grant_roles",
        reason: "covering",
        before: { email: "sam@example.com", roles: ["support"] },
        after: { email: "sam@example.com", roles: ["admin", "marketing", "support"] },
      },
      {
        actor: "cli",
        action: "user.revoke_roles",
        reason: null,
        before: { email: "sam@example.com", roles: ["admin", "marketing", "support"] },
        after: { email: "sam@example.com", roles: ["admin", "support"] },
      },
    ]);
    expect((await auditOf(ops.id)).at(-1)).toMatchObject({ action: "user.revoke_roles", after: { roles: ["support"] } });

    const unknown = await cli(["users", "grant", "--email", "nobody@example.com", "--roles", "support"], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("No account has the email nobody@example.com");
  });

  it("two admins revoking each other at once leave one admin", async () => {
    await cli(["users", "grant", "--email", "ops@example.com", "--roles", "admin"], env);
    const [a, b] = await Promise.all([
      cli(["users", "revoke", "--email", "ops@example.com", "--roles", "admin"], env),
      cli(["users", "revoke", "--email", "sam@example.com", "--roles", "admin"], env),
    ]);
    expect([a.code, b.code].sort()).toEqual([0, 1]);
    const admins = await queryRows<{ n: number }>(t.db, sql`SELECT count(*)::int AS n FROM user_roles WHERE role = 'admin'`);
    expect(admins[0]!.n).toBe(1);
  });

  it("list shows the staff accounts with their roles and password state, members left out", async () => {
    await cli(["users", "create", "--email", "new@example.com", "--roles", "marketing"], env);
    const run = await cli(["users", "list"], env);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines.at(-1)).toMatch(/^3 staff account\(s\) on the PostgreSQL/);
    expect(lines[0]).toMatch(/^new@example\.com\s+marketing\s+link pending/);
    expect(lines[1]).toMatch(/^ops@example\.com\s+(admin,)?support\s+password set/);
    expect(run.stdout).not.toContain("shopper@example.com");
    const marketing = await cli(["users", "list", "--role", "marketing"], env);
    expect(marketing.stdout.trimEnd().split("\n")).toHaveLength(2);
  });
});
