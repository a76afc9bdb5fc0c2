import crypto from "node:crypto";
import { Redis } from "ioredis";
import { and, eq, like } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, users } from "@/db/schema";
import { verifyCredentials } from "@/lib/auth/credentials";
import { hashPassword } from "@/lib/auth/password";
import { SIGN_IN_ACTIONS } from "@/lib/auth/sign-in-audit";
import { BUDGETS, memoryThrottle, redisThrottle, type Budgets, type SignInThrottle } from "@/lib/auth/sign-in-throttle";
import { createTestDatabase, type TestDatabase } from "../support/test-database";

const PASSWORD = "correct horse battery";
const SMALL: Budgets = {
  account_address: { points: 3, durationS: 900 },
  account: { points: 8, durationS: 86_400 },
  address: { points: 20, durationS: 3_600 },
};

describe("sign-in throttle", () => {
  let t: TestDatabase;
  let redis: Redis;
  let userId: string;
  let n = 0;

  /** A fresh account per test, so the budgets and audit entries of one test are its own. */
  async function account(): Promise<string> {
    const email = `owner${n++}-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const [row] = await t.db
      .insert(users)
      .values({ email, name: "Owner", passwordHash: await hashPassword(PASSWORD) })
      .returning();
    userId = row!.id;
    return email;
  }
  const auditOf = async (email: string, action?: string) =>
    t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.targetId, email), action ? eq(auditLog.action, action) : like(auditLog.action, "auth.%")));

  beforeAll(async () => {
    t = await createTestDatabase({ poolMax: 30 });
    redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    redis.disconnect();
    await t.drop();
  });

  const throttles: Array<[string, () => SignInThrottle]> = [
    ["memory", () => memoryThrottle()],
    ["redis", () => redisThrottle(redis, `test_signin_${crypto.randomUUID()}`)],
  ];

  describe.each(throttles)("on %s", (_name, makeThrottle) => {
    it("counts attempts before the password check: of 25 concurrent guesses from one address, exactly the budget reach the password", async () => {
      const email = await account();
      const throttle = makeThrottle();
      const results = await Promise.all(
        Array.from({ length: 25 }, (_, i) => verifyCredentials(t.db, throttle, { email, password: `guess-${i}` }, "198.51.100.7")),
      );
      const failed = results.filter((r) => !r.ok && r.reason === "invalid").length;
      const throttled = results.filter((r) => !r.ok && r.reason === "throttled").length;
      expect(failed).toBe(BUDGETS.account_address.points);
      expect(throttled).toBe(25 - BUDGETS.account_address.points);
      expect(await auditOf(email, SIGN_IN_ACTIONS.failure)).toHaveLength(BUDGETS.account_address.points);
      expect(await auditOf(email, SIGN_IN_ACTIONS.throttled)).toHaveLength(25 - BUDGETS.account_address.points);
      // The right password from that address is refused too, before it is checked…
      expect(await verifyCredentials(t.db, throttle, { email, password: PASSWORD }, "198.51.100.7")).toMatchObject({ reason: "throttled" });
      // …but the owner, from their own address, is not locked out.
      expect(await verifyCredentials(t.db, throttle, { email, password: PASSWORD }, "203.0.113.20")).toMatchObject({ ok: true });
    });

    it("concurrent right passwords all succeed and leave the budgets as they were", async () => {
      const email = await account();
      const throttle = makeThrottle();
      const results = await Promise.all(Array.from({ length: 8 }, () => verifyCredentials(t.db, throttle, { email, password: PASSWORD }, "203.0.113.30")));
      // Each takes an attempt before the check; more than the pair's 5 in flight at once may be held back, never let through wrongly.
      expect(results.every((r) => r.ok || r.reason === "throttled")).toBe(true);
      expect(results.filter((r) => r.ok).length).toBeGreaterThanOrEqual(BUDGETS.account_address.points);
      expect(await verifyCredentials(t.db, throttle, { email, password: PASSWORD }, "203.0.113.30")).toMatchObject({ ok: true });
    });
  });

  it("an attacker spread over many addresses spends the account-wide budget, yet the owner still signs in from an address they used before", async () => {
    const email = await account();
    const throttle = memoryThrottle(SMALL);
    expect(await verifyCredentials(t.db, throttle, { email, password: PASSWORD }, "203.0.113.40")).toMatchObject({ ok: true });
    // 40 addresses, 3 guesses each, concurrently per address.
    const guesses = await Promise.all(
      Array.from({ length: 40 }, (_, a) =>
        Promise.all(Array.from({ length: 3 }, (_, i) => verifyCredentials(t.db, throttle, { email, password: `x${i}` }, `192.0.2.${a + 1}`))),
      ),
    );
    const reachedPassword = guesses.flat().filter((r) => !r.ok && r.reason === "invalid").length;
    expect(reachedPassword).toBe(SMALL.account.points);
    const throttledRows = await auditOf(email, SIGN_IN_ACTIONS.throttled);
    expect(throttledRows.some((r) => (r.after as { budget: string }).budget === "account")).toBe(true);
    // A new address is held by the account-wide budget, even with the right password (the documented residual)…
    expect(await verifyCredentials(t.db, throttle, { email, password: PASSWORD }, "198.51.100.99")).toMatchObject({ reason: "throttled" });
    // …the owner's known address is not.
    expect(await verifyCredentials(t.db, throttle, { email, password: PASSWORD }, "203.0.113.40")).toMatchObject({ ok: true });
  });

  it("one address trying many accounts is held by the address budget", async () => {
    const throttle = memoryThrottle(SMALL);
    for (let i = 0; i < SMALL.address.points; i++) {
      await verifyCredentials(t.db, throttle, { email: `sprayed${i}@example.com`, password: "x" }, "198.51.100.50");
    }
    const email = await account();
    expect(await verifyCredentials(t.db, throttle, { email, password: PASSWORD }, "198.51.100.50")).toMatchObject({ reason: "throttled" });
    expect(await verifyCredentials(t.db, throttle, { email, password: PASSWORD }, "198.51.100.51")).toMatchObject({ ok: true });
  });

  it("a success clears the pair's failures, so the owner's typos never add up to a lock", async () => {
    const email = await account();
    const throttle = memoryThrottle();
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < BUDGETS.account_address.points - 1; i++) {
        expect(await verifyCredentials(t.db, throttle, { email, password: "typo" }, "203.0.113.60")).toMatchObject({ reason: "invalid" });
      }
      expect(await verifyCredentials(t.db, throttle, { email, password: PASSWORD }, "203.0.113.60")).toMatchObject({ ok: true });
    }
  });

  it("audits success, failure and throttling with the address, never the password", async () => {
    const email = await account();
    const throttle = memoryThrottle(SMALL);
    await verifyCredentials(t.db, throttle, { email, password: PASSWORD }, "203.0.113.70");
    for (let i = 0; i < SMALL.account_address.points + 1; i++) {
      await verifyCredentials(t.db, throttle, { email, password: "hunter2-wrong" }, "198.51.100.70");
    }
    const rows = await auditOf(email);
    const byAction = (action: string) => rows.filter((r) => r.action === action);
    expect(byAction(SIGN_IN_ACTIONS.success)).toMatchObject([{ actor: `user:${userId}`, after: { address: "203.0.113.70", userId } }]);
    expect(byAction(SIGN_IN_ACTIONS.failure)).toHaveLength(SMALL.account_address.points);
    expect(byAction(SIGN_IN_ACTIONS.failure)[0]).toMatchObject({ actor: "address:198.51.100.70", after: { address: "198.51.100.70", userId } });
    expect(byAction(SIGN_IN_ACTIONS.throttled)).toMatchObject([{ after: { budget: "account_address", userId } }]);
    expect(JSON.stringify(rows)).not.toContain("hunter2");
    expect(JSON.stringify(rows)).not.toContain(PASSWORD);
    // An unknown email is on record too, with no user.
    await verifyCredentials(t.db, throttle, { email: "nobody-here@example.com", password: "x" }, "198.51.100.71");
    expect(await auditOf("nobody-here@example.com", SIGN_IN_ACTIONS.failure)).toMatchObject([{ after: { userId: null } }]);
  });
});
