import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { connectPglite, connectPostgres, queryRows, type Db } from "@/db/client";
import { DemoInProductionError, seedDemoData } from "@/db/seed";
import { resetEnvCache } from "@/lib/env";
import { adminUrl, databaseUrl } from "../support/database-url";
import { createTestDatabase, type TestDatabase } from "../support/test-database";
import { childEnv, runCli, type CliRun } from "./support/run-cli";

const ROOT = path.resolve(import.meta.dirname, "../..");
const TSX = path.join(ROOT, "node_modules/.bin/tsx");
const scripts = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;

/** What an npm script runs before `next …`: its first command, run as that script runs it (tsx). */
function preparationOf(script: "start" | "dev"): string[] {
  const first = scripts[script]!.split("&&")[0]!.trim().split(/\s+/);
  expect(first[0]).toBe("tsx");
  return first.slice(1);
}

function run(args: string[], env: Record<string, string | undefined>): Promise<CliRun> {
  const full = childEnv({});
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete full[k];
    else full[k] = v;
  }
  return new Promise((resolve) => {
    execFile(TSX, args, { cwd: ROOT, env: full, timeout: 240_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

async function counts(db: Db) {
  const [row] = await queryRows<Record<string, number>>(
    db,
    sql`SELECT (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM user_roles) AS roles,
               (SELECT count(*)::int FROM api_keys) AS api_keys, (SELECT count(*)::int FROM members) AS members,
               (SELECT count(*)::int FROM point_transactions) AS ledger, (SELECT count(*)::int FROM campaigns) AS campaigns,
               (SELECT count(*)::int FROM rewards) AS rewards`,
  );
  return row!;
}

const NOTHING = { users: 0, roles: 0, api_keys: 0, members: 0, ledger: 0, campaigns: 0, rewards: 0 };

/** Nothing a newcomer could sign in or call the API with. */
function expectNoSecret(out: CliRun) {
  const text = out.stdout + out.stderr;
  expect(text).not.toMatch(/lk_[A-Za-z0-9_-]{20,}/);
  expect(text).not.toContain("loyalty-demo");
  expect(text).not.toContain("admin@example.com");
}

describe("npm start on an empty PostgreSQL database", () => {
  const names: string[] = [];
  const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} });
  async function emptyDatabase(): Promise<{ url: string; db: Db; close(): Promise<void> }> {
    const name = `loyalty_start_${process.pid}_${Date.now()}_${names.length}`;
    await admin.unsafe(`CREATE DATABASE "${name}"`);
    names.push(name);
    const handle = connectPostgres(databaseUrl(name), { max: 1 });
    return { url: databaseUrl(name), db: handle.db, close: () => handle.close() };
  }
  afterAll(async () => {
    for (const name of names) await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  });

  it.each([
    ["NODE_ENV=production", "production"],
    ["no NODE_ENV", undefined],
  ])("with %s migrates it and seeds nothing: no account, no key, no demo data, no secret printed", { timeout: 240_000 }, async (_, nodeEnv) => {
    const target = await emptyDatabase();
    try {
      const out = await run(preparationOf("start"), { DATABASE_URL: target.url, NODE_ENV: nodeEnv });
      expect(out.stderr).toBe("");
      expect(out.code).toBe(0);
      expect(out.stdout).toMatch(/Database ready/);
      expectNoSecret(out);
      expect(await counts(target.db)).toEqual(NOTHING);
      // Migrated: the tables exist (counts() read them) and so do the applied migrations.
      const applied = await queryRows<{ n: number }>(target.db, sql`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`);
      expect(applied[0]!.n).toBe(fs.readdirSync(path.join(ROOT, "drizzle")).filter((f) => f.endsWith(".sql")).length);
    } finally {
      await target.close();
    }
  });

  it("npm run dev against a database server seeds nothing either, and says how to", { timeout: 240_000 }, async () => {
    const target = await emptyDatabase();
    try {
      const out = await run(preparationOf("dev"), { DATABASE_URL: target.url, NODE_ENV: undefined });
      expect(out.code).toBe(0);
      expectNoSecret(out);
      expect(out.stdout).toContain("npm run db:seed -- --demo");
      expect(await counts(target.db)).toEqual(NOTHING);
    } finally {
      await target.close();
    }
  });
});

describe("npm start and npm run dev on the embedded database", () => {
  let dir: string;
  beforeAll(() => {
    dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-start-")), "pglite");
  });
  afterAll(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));

  async function embeddedCounts() {
    const handle = connectPglite(dir);
    try {
      return await counts(handle.db);
    } finally {
      await handle.close();
    }
  }

  it("a production start of a new folder seeds nothing", { timeout: 240_000 }, async () => {
    const out = await run(preparationOf("start"), { PGLITE_DIR: dir, NODE_ENV: "production" });
    expect(out.code).toBe(0);
    expectNoSecret(out);
    expect(await embeddedCounts()).toEqual(NOTHING);
  });

  it("npm run dev with NODE_ENV=production seeds nothing", { timeout: 240_000 }, async () => {
    const out = await run(preparationOf("dev"), { PGLITE_DIR: dir, NODE_ENV: "production" });
    expect(out.code).toBe(0);
    expectNoSecret(out);
    expect(await embeddedCounts()).toEqual(NOTHING);
  });

  it("npm run dev seeds the demo data into it and prints the demo accounts and key (the README's first command)", { timeout: 240_000 }, async () => {
    const out = await run(preparationOf("dev"), { PGLITE_DIR: dir, NODE_ENV: undefined });
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    expect(out.stdout).toContain("Demo accounts (password for all: loyalty-demo)");
    expect(out.stdout).toContain("admin@example.com");
    expect(out.stdout).toMatch(/lk_[A-Za-z0-9_-]{43}/);
    const seeded = await embeddedCounts();
    expect(seeded).toMatchObject({ members: 50, api_keys: 1 });
    expect(seeded.users).toBeGreaterThanOrEqual(4);

    // A later production start of the same folder lists none of it.
    const later = await run(preparationOf("start"), { PGLITE_DIR: dir, NODE_ENV: "production" });
    expect(later.code).toBe(0);
    expectNoSecret(later);
  });
});

describe("npm run db:seed", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());
  const processEnv = process.env as Record<string, string | undefined>;
  afterEach(() => {
    processEnv.NODE_ENV = "test";
    resetEnvCache();
  });

  it("is the CLI's db seed, and refuses without --demo", async () => {
    expect(scripts["db:seed"]).toBe("tsx scripts/cli.ts db seed");
    const out = await runCli(["db", "seed"], { DATABASE_URL: t.url });
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/--demo/);
    expect(await counts(t.db)).toEqual(NOTHING);
  });

  it("-- --demo refuses NODE_ENV=production and writes nothing", async () => {
    const out = await runCli(["db", "seed", "--demo"], { DATABASE_URL: t.url, NODE_ENV: "production" });
    expect(out.code).toBe(1);
    expect(out.stderr).toContain("NODE_ENV is production: refusing to add demo accounts");
    expectNoSecret(out);
    expect(await counts(t.db)).toEqual(NOTHING);
  });

  it("seedDemoData itself refuses in a production process", async () => {
    processEnv.NODE_ENV = "production";
    resetEnvCache();
    await expect(seedDemoData(t.db)).rejects.toThrow(DemoInProductionError);
    expect(await counts(t.db)).toEqual(NOTHING);
  });
});
