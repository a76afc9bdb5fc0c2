import { spawnSync } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/test-database";

const ROOT = path.resolve(import.meta.dirname, "../..");
let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.drop());

describe("a connection lost inside a transaction", () => {
  // The stream worker died this way when PostgreSQL restarted (npm run chaos); patches/ holds the fix.
  it("rejects the transaction and leaves the process and its pool working", () => {
    const child = spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "test/ops/support/terminate-in-transaction.ts"), t.url], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(child.stderr).not.toMatch(/TypeError/);
    expect(child.status).toBe(0);
    const answer = JSON.parse(child.stdout.trim().split("\n").pop()!);
    expect(answer.code).toMatch(/^(57P01|CONNECTION_CLOSED)$/);
    expect(answer.after).toBe(1);
  });
});
