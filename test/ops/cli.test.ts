import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { apiKeys, ledgerSnapshots, members } from "@/db/schema";
import { authenticateApiKey } from "@/lib/loyalty/access/api-keys";
import { createTestDatabase, type TestDatabase } from "../support/test-database";
import { insertMember, insertPurchase } from "./support/ledger-fixtures";
import { exited, holdEmbedded, runCli } from "./support/run-cli";

const KEY_LINE = /^lk_[A-Za-z0-9_-]{43}$/;
const lastLine = (text: string) => text.trimEnd().split("\n").at(-1)!;

describe("npm run cli (against PostgreSQL)", () => {
  let t: TestDatabase;
  let env: Record<string, string>;
  let tmp: string;
  beforeAll(async () => {
    t = await createTestDatabase();
    env = { DATABASE_URL: t.url };
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-cli-"));
  });
  afterAll(async () => {
    await t.drop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("api-key create prints the new key alone on its last line, stored hashed with the scopes asked for", async () => {
    const run = await runCli(["api-key", "create", "--name", "shop", "--scopes", "events:write,members:read"], env);
    expect(run.code).toBe(0);
    const key = lastLine(run.stdout);
    expect(key).toMatch(KEY_LINE);
    const stored = await authenticateApiKey(t.db, key);
    expect(stored).toMatchObject({ name: "shop", scopes: ["events:write", "members:read"] });
    const raw = await t.db.execute(sql`SELECT count(*)::int AS n FROM api_keys WHERE key_hash = ${key}`);
    expect(JSON.stringify(raw)).toContain('"n":0');
  });

  it("api-key create refuses to guess scopes (no --scopes, no key), unknown scopes and a missing name", async () => {
    const before = await t.db.$count(apiKeys);
    const unscoped = await runCli(["api-key", "create", "--name", "ops"], env);
    expect(unscoped.code).toBe(1);
    expect(unscoped.stderr).toMatch(/--scopes is required/);

    const bad = await runCli(["api-key", "create", "--name", "x", "--scopes", "events:write,root"], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/unknown scope\(s\) root/);
    const nameless = await runCli(["api-key", "create", "--scopes", "events:write"], env);
    expect(nameless.code).toBe(1);
    expect(nameless.stderr).toMatch(/name: is required/);
    expect(await t.db.$count(apiKeys)).toBe(before);
  });

  it("members import reports created, existing, invalid and duplicate rows with their lines", async () => {
    const file = path.join(tmp, "members.csv");
    fs.writeFileSync(file, "externalId,email,name\ncli-1,a@example.test,A\ncli-2,bad-email,B\ncli-1,,Again\ncli-3,,C\n");
    const run = await runCli(["members", "import", file], env);
    expect(run.stdout).toContain("line 3: invalid: email must be an email address");
    expect(run.stdout).toContain("line 4: duplicate: repeats line 2");
    expect(lastLine(run.stdout)).toBe("created 2, existing 0, invalid 1, duplicate 1");
    expect(run.code).toBe(2);
    const again = await runCli(["members", "import", file], env);
    expect(lastLine(again.stdout)).toBe("created 0, existing 2, invalid 1, duplicate 1");
    expect(await t.db.$count(members)).toBe(2);
  });

  it("jobs run tiers runs the nightly job and prints its summary", async () => {
    const id = await insertMember(t.db, "cli-tier");
    await insertPurchase(t.db, id, { spendCents: 250_000, occurredAt: new Date(Date.now() - 86_400_000) });
    const run = await runCli(["jobs", "run", "tiers"], env);
    expect(run.code).toBe(0);
    expect(JSON.parse(lastLine(run.stdout))).toMatchObject({ job: "tiers", upgraded: 1, downgraded: 0 });
    const [m] = await t.db.select().from(members).where(eq(members.id, id));
    expect(m!.tier).toBe("gold");
  });

  it("jobs run snapshot records the ledger snapshot once per --now", async () => {
    const now = new Date().toISOString();
    const first = await runCli(["jobs", "run", "snapshot", "--now", now], env);
    expect(first.code).toBe(0);
    expect(JSON.parse(lastLine(first.stdout))).toMatchObject({ job: "snapshot", created: true, liability: expect.any(Number) });
    const again = await runCli(["jobs", "run", "snapshot", "--now", now], env);
    expect(JSON.parse(lastLine(again.stdout))).toMatchObject({ job: "snapshot", created: false });
    expect(await t.db.$count(ledgerSnapshots)).toBe(1);
  });

  it("ledger verify exits 0 on a consistent ledger and 1 with the discrepancy when a balance is corrupted", async () => {
    const clean = await runCli(["ledger", "verify"], env);
    expect(clean.stdout).toMatch(/agree/);
    expect(clean.code).toBe(0);
    await t.db.execute(sql`UPDATE point_balances SET available_points = available_points + 7
      WHERE member_id = (SELECT id FROM members WHERE external_id = 'cli-tier')`);
    const corrupt = await runCli(["ledger", "verify"], env);
    expect(corrupt.code).toBe(1);
    expect(corrupt.stdout).toMatch(/member cli-tier \(id \d+\): available_points cached 2507, ledger says 2500/);
  });

  it("answers an unknown command with the usage and exit 1", async () => {
    const run = await runCli(["frobnicate"], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Unknown command "frobnicate"[\s\S]*api-key create/);
  });
});

describe("npm run cli (against the embedded database)", () => {
  let dir: string;
  beforeAll(() => {
    dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-pglite-")), "pglite");
  });
  afterAll(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));

  it("refuses while another process holds the folder, and works once it let go", async () => {
    const holder = await holdEmbedded(dir);
    try {
      const refused = await runCli(["api-key", "create", "--name", "while-held", "--scopes", "members:read"], { PGLITE_DIR: dir });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`The embedded database in ${dir} is in use by process ${holder.pid}`);
      expect(refused.stdout).not.toMatch(/lk_/);
    } finally {
      holder.kill("SIGTERM");
      await exited(holder);
    }
    expect(fs.existsSync(`${dir}.lock`)).toBe(false);
    const after = await runCli(["api-key", "create", "--name", "after", "--scopes", "members:read"], { PGLITE_DIR: dir });
    expect(after.stderr).toBe("");
    expect(lastLine(after.stdout)).toMatch(KEY_LINE);
  }, 240_000);

  it("takes over the lock a killed process left behind", async () => {
    const holder = await holdEmbedded(dir);
    holder.kill("SIGKILL");
    await exited(holder);
    expect(fs.existsSync(`${dir}.lock`)).toBe(true);
    const run = await runCli(["ledger", "verify"], { PGLITE_DIR: dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/0 members checked on the embedded database/);
  }, 240_000);
});
