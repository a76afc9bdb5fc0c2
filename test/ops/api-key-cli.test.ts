import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { auditLog } from "@/db/schema";
import { authenticateApiKey } from "@/lib/loyalty/access/api-keys";
import { createTestDatabase, type TestDatabase } from "../support/test-database";
import { runCli } from "./support/run-cli";

const KEY_LINE = /^lk_[A-Za-z0-9_-]{43}$/;
const lastLine = (text: string) => text.trimEnd().split("\n").at(-1)!;

describe("npm run cli -- api-key (against PostgreSQL)", () => {
  let t: TestDatabase;
  let env: Record<string, string>;
  beforeAll(async () => {
    t = await createTestDatabase();
    env = { DATABASE_URL: t.url };
  });
  afterAll(() => t.drop());

  it("creates a key with --rate-limit and --expires-in, lists, rotates and revokes it by name or id, each audited as the cli", async () => {
    const created = await runCli(["api-key", "create", "--name", "pos", "--scopes", "events:write", "--rate-limit", "25", "--expires-in", "90d"], env);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/Rate limit: 25 requests per second/);
    const key = lastLine(created.stdout);
    expect(key).toMatch(KEY_LINE);
    const stored = (await authenticateApiKey(t.db, key))!;
    expect(stored).toMatchObject({ name: "pos", scopes: ["events:write"], rateLimitPerSecond: 25 });
    expect(Math.abs(stored.expiresAt!.getTime() - (Date.now() + 90 * 86_400_000))).toBeLessThan(120_000);

    const rotated = await runCli(["api-key", "rotate", "pos", "--grace", "1h"], env);
    expect(rotated.code).toBe(0);
    const newKey = lastLine(rotated.stdout);
    expect(newKey).toMatch(KEY_LINE);
    expect(rotated.stdout).toMatch(/keeps working until/);
    // Both work during the grace period.
    expect((await authenticateApiKey(t.db, key))?.id).toBe(stored.id);
    const replacement = (await authenticateApiKey(t.db, newKey))!;
    expect(replacement).toMatchObject({ name: "pos", scopes: ["events:write"], rateLimitPerSecond: 25 });

    const listed = await runCli(["api-key", "list"], env);
    expect(listed.code).toBe(0);
    const lines = listed.stdout.split("\n");
    expect(lines[0]).toMatch(/^id\s+name\s+prefix\s+status\s+scopes\s+req\/s\s+expires\s+last used$/);
    expect(lines.find((l) => l.startsWith(`${replacement.id} `))).toMatch(/pos\s+lk_\S+…\s+active\s+events:write\s+25\s/);
    expect(lines.find((l) => l.startsWith(`${stored.id} `))).toMatch(/retiring \d{4}-/);
    expect(listed.stdout).not.toContain(newKey);

    const revokedById = await runCli(["api-key", "revoke", String(stored.id)], env);
    expect(revokedById.code).toBe(0);
    expect(await authenticateApiKey(t.db, key)).toBeNull();
    const revokedByName = await runCli(["api-key", "revoke", "pos"], env);
    expect(revokedByName.code).toBe(0);
    expect(await authenticateApiKey(t.db, newKey)).toBeNull();

    const again = await runCli(["api-key", "revoke", "pos"], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/No active API key is named "pos"/);

    const actions = (await t.db.select().from(auditLog).where(eq(auditLog.targetType, "api_key"))).map((e) => `${e.actor} ${e.action} ${e.targetId}`);
    expect(actions).toEqual([
      `cli api_key.created ${stored.id}`,
      `cli api_key.rotated ${stored.id}`,
      `cli api_key.revoked ${stored.id}`,
      `cli api_key.revoked ${replacement.id}`,
    ]);
  }, 180_000); // six CLI processes, each a few seconds on a loaded machine

  it("refuses a bad --rate-limit, --expires-in or --grace and a missing key name, creating nothing", async () => {
    const badLimit = await runCli(["api-key", "create", "--name", "x", "--scopes", "events:write", "--rate-limit", "fast"], env);
    expect([badLimit.code, badLimit.stderr]).toEqual([1, expect.stringMatching(/rateLimit: must be a whole number/)]);
    const badExpiry = await runCli(["api-key", "create", "--name", "x", "--scopes", "events:write", "--expires-in", "soon"], env);
    expect([badExpiry.code, badExpiry.stderr]).toEqual([1, expect.stringMatching(/expiresIn: must be a duration like 90d/)]);
    const badGrace = await runCli(["api-key", "rotate", "x", "--grace", "forever"], env);
    expect([badGrace.code, badGrace.stderr]).toEqual([1, expect.stringMatching(/--grace must be a duration/)]);
    const nameless = await runCli(["api-key", "revoke"], env);
    expect([nameless.code, nameless.stderr]).toEqual([1, expect.stringMatching(/Name the key/)]);
    expect(await t.db.$count(auditLog, eq(auditLog.action, "api_key.created"))).toBe(1);
  }, 120_000);
});
