import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import { createTestDatabase, type TestDatabase } from "../support/test-database";
import { runCli } from "./support/run-cli";

describe("npm run cli -- ledger import (against PostgreSQL)", () => {
  let t: TestDatabase;
  let env: Record<string, string>;
  let dir: string;
  const yesterday = new Date(Date.now() - 86_400_000).toISOString();
  beforeAll(async () => {
    t = await createTestDatabase();
    env = { DATABASE_URL: t.url };
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledger-import-cli-"));
    fs.writeFileSync(
      path.join(dir, "old-programme.csv"),
      [
        "externalId,points,earnedAt,expiresAt,reference",
        `cli-a,120,${yesterday},,cli-1`,
        "cli-a,30,2020-01-01,2021-01-01,cli-2",
        "cli-b,abc,2020-01-01,,cli-3",
        `cli-b,15,${yesterday},,cli-4`,
        "",
      ].join("\n"),
    );
  });
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await t.drop();
  });

  const ledgerRows = async () => (await queryRows<{ n: number }>(t.db, sql`SELECT count(*)::int AS n FROM point_transactions`))[0]!.n;

  it("--dry-run prints what it would import, exits 2 for the rejected line, and writes nothing", async () => {
    const run = await runCli(["ledger", "import", path.join(dir, "old-programme.csv"), "--dry-run"], env);
    expect(run.stdout).toContain("line 4: rejected (validation_failed): points must be a whole number");
    expect(run.stdout).toMatch(
      /Dry run \(nothing written\): would import 3 of 4 rows .*: 165 points, of which 1 lots \(30 points\) already expired; 2 members to create; 0 duplicates, 0 conflicts, 1 rejected/,
    );
    expect(run.code).toBe(2);
    expect(await ledgerRows()).toBe(0);
    expect((await queryRows<{ n: number }>(t.db, sql`SELECT count(*)::int AS n FROM members`))[0]!.n).toBe(0);
  });

  it("imports, writes a per-line report, answers a second run with duplicates, and ledger verify agrees", async () => {
    const reportFile = path.join(dir, "report.csv");
    const first = await runCli(["ledger", "import", path.join(dir, "old-programme.csv"), "--reason", "Move from OldLoyal", "--report", reportFile], env);
    expect(first.stdout).toMatch(/Imported 3 of 4 rows .*: 165 points, of which 1 lots \(30 points\) already expired; 2 members created/);
    expect(first.code).toBe(2);
    const lines = fs.readFileSync(reportFile, "utf8").trim().split("\n").slice(1).sort();
    expect(lines).toEqual(["2,accepted,,,", "3,accepted (expired),,,", "4,rejected,validation_failed,points,points must be a whole number", "5,accepted,,,"]);
    expect(await ledgerRows()).toBe(4); // three lots and the expire row of the past one
    const balances = await queryRows<{ external_id: string; available_points: number }>(
      t.db,
      sql`SELECT m.external_id, b.available_points::int FROM members m JOIN point_balances b ON b.member_id = m.id ORDER BY 1`,
    );
    expect(balances).toEqual([
      { external_id: "cli-a", available_points: 120 },
      { external_id: "cli-b", available_points: 15 },
    ]);
    const [audit] = await queryRows<{ actor: string; reason: string }>(t.db, sql`SELECT actor, reason FROM audit_log WHERE action = 'points.import'`);
    expect(audit).toEqual({ actor: "job:cli", reason: "Move from OldLoyal" });

    const again = await runCli(["ledger", "import", path.join(dir, "old-programme.csv")], env);
    expect(again.stdout).toContain("line 2: duplicate: already imported with the same content");
    expect(again.stdout).toMatch(/Imported 0 of 4 rows .* 3 duplicates, 0 conflicts, 1 rejected/);
    expect(await ledgerRows()).toBe(4);

    const verify = await runCli(["ledger", "verify"], env);
    expect(verify.stdout).toContain("the ledger and the cached balances agree");
    expect(verify.stdout).toContain("Hash chains intact");
    expect(verify.code).toBe(0);
  });

  it("refuses a file with an unknown column (exit 1) and a missing file", async () => {
    fs.writeFileSync(path.join(dir, "bad.csv"), "externalId,points,earnedAt,reference,bonus\ncli-c,5,2020-01-01,cli-9,1\n");
    const bad = await runCli(["ledger", "import", path.join(dir, "bad.csv")], env);
    expect(bad.stdout).toContain('Refused: line 1: unknown column "bonus"');
    expect(bad.code).toBe(1);
    const missing = await runCli(["ledger", "import", path.join(dir, "nope.csv")], env);
    expect(missing.stderr).toContain("No such file");
    expect(missing.code).toBe(1);
    expect(await ledgerRows()).toBe(4);
  });
});
