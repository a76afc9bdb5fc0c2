import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { users } from "@/db/schema";
import { verifyCredentials } from "@/lib/auth/credentials";
import { hashPassword } from "@/lib/auth/password";
import { ACCOUNT_FAILURES, IP_FAILURES, memoryThrottle } from "@/lib/auth/sign-in-throttle";
import { createTestDatabase, type TestDatabase } from "../support/test-database";

describe("verifyCredentials", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    await t.db.insert(users).values({ email: "ann@example.com", name: "Ann", passwordHash: await hashPassword("correct horse") });
  });
  afterAll(() => t.drop());

  it("accepts the right password, whatever the case of the email", async () => {
    const result = await verifyCredentials(t.db, memoryThrottle(), { email: " Ann@Example.com ", password: "correct horse" }, "1.1.1.1");
    expect(result).toMatchObject({ ok: true, user: { email: "ann@example.com" } });
  });

  it("refuses a wrong password, an unknown email and malformed input alike", async () => {
    const throttle = memoryThrottle();
    for (const input of [
      { email: "ann@example.com", password: "wrong" },
      { email: "nobody@example.com", password: "correct horse" },
      { email: "not-an-email", password: "x" },
      { email: "ann@example.com" },
      "garbage",
    ]) {
      expect(await verifyCredentials(t.db, throttle, input, "1.1.1.2")).toEqual({ ok: false, reason: "invalid" });
    }
  });

  it("blocks an account from the address that failed repeatedly, even with the right password, and only there", async () => {
    const throttle = memoryThrottle();
    for (let i = 0; i < ACCOUNT_FAILURES; i++) {
      await verifyCredentials(t.db, throttle, { email: "ann@example.com", password: `guess-${i}` }, "10.0.0.1");
    }
    const result = await verifyCredentials(t.db, throttle, { email: "ann@example.com", password: "correct horse" }, "10.0.0.1");
    expect(result).toMatchObject({ ok: false, reason: "throttled" });
    expect((result as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(0);
    expect((await verifyCredentials(t.db, throttle, { email: "ann@example.com", password: "correct horse" }, "10.0.1.1")).ok).toBe(true);
  });

  it("blocks an address that fails on many accounts", async () => {
    const throttle = memoryThrottle();
    for (let i = 0; i < IP_FAILURES; i++) {
      await verifyCredentials(t.db, throttle, { email: `user${i}@example.com`, password: "x" }, "6.6.6.6");
    }
    const blocked = await verifyCredentials(t.db, throttle, { email: "ann@example.com", password: "correct horse" }, "6.6.6.6");
    expect(blocked).toMatchObject({ ok: false, reason: "throttled" });
    const elsewhere = await verifyCredentials(t.db, throttle, { email: "ann@example.com", password: "correct horse" }, "7.7.7.7");
    expect(elsewhere.ok).toBe(true);
  });

  it("clears an account's failures after a successful sign-in", async () => {
    const throttle = memoryThrottle();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < ACCOUNT_FAILURES - 1; i++) {
        await verifyCredentials(t.db, throttle, { email: "ann@example.com", password: "nope" }, `9.9.${round}.${i}`);
      }
      const ok = await verifyCredentials(t.db, throttle, { email: "ann@example.com", password: "correct horse" }, "9.9.9.9");
      expect(ok.ok).toBe(true);
    }
  });
});
