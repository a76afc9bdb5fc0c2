import bcrypt from "bcryptjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { users } from "@/db/schema";
import { verifyCredentials } from "@/lib/auth/credentials";
import { hashPassword, needsRehash, verifyPassword } from "@/lib/auth/password";
import { memoryThrottle } from "@/lib/auth/sign-in-throttle";
import { createTestDatabase, type TestDatabase } from "../support/test-database";

const throttle = () => memoryThrottle();

describe("password hashes", () => {
  it("are argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane), salted, and verify", async () => {
    const a = await hashPassword("correct horse battery");
    const b = await hashPassword("correct horse battery");
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword("correct horse battery", a)).toBe(true);
    expect(await verifyPassword("correct horse batterY", a)).toBe(false);
    expect(needsRehash(a)).toBe(false);
  });

  it("still verify bcrypt hashes, which need a rehash, and never match a malformed hash", async () => {
    const old = await bcrypt.hash("legacy password", 4);
    expect(await verifyPassword("legacy password", old)).toBe(true);
    expect(await verifyPassword("other password", old)).toBe(false);
    expect(needsRehash(old)).toBe(true);
    expect(needsRehash("$argon2id$v=19$m=4096,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g")).toBe(true);
    expect(await verifyPassword("x", "plain-text")).toBe(false);
    expect(await verifyPassword("x", "$argon2id$garbage")).toBe(false);
  });
});

describe("sign-in rehashes a bcrypt password", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  async function hashOf(email: string) {
    const [u] = await t.db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.email, email));
    return u!.passwordHash!;
  }

  it("to argon2id at the next successful sign-in, and only then", async () => {
    const legacy = await bcrypt.hash("an old bcrypt password", 10);
    await t.db.insert(users).values({ email: "old@example.com", passwordHash: legacy });

    const wrong = await verifyCredentials(t.db, throttle(), { email: "old@example.com", password: "not the password" }, "10.0.0.1");
    expect(wrong).toEqual({ ok: false, reason: "invalid" });
    expect(await hashOf("old@example.com")).toBe(legacy);

    const ok = await verifyCredentials(t.db, throttle(), { email: "OLD@example.com", password: "an old bcrypt password" }, "10.0.0.1");
    expect(ok.ok).toBe(true);
    const rehashed = await hashOf("old@example.com");
    expect(rehashed).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword("an old bcrypt password", rehashed)).toBe(true);

    // The next sign-in works with the new hash and leaves it alone.
    const again = await verifyCredentials(t.db, throttle(), { email: "old@example.com", password: "an old bcrypt password" }, "10.0.0.1");
    expect(again.ok).toBe(true);
    expect(await hashOf("old@example.com")).toBe(rehashed);
  });

  it("never overwrites a password changed between the check and the rehash", async () => {
    // Cost 12 (~0.3 s to check): the change below lands after the sign-in read the hash.
    const legacy = await bcrypt.hash("first password here", 12);
    const [user] = await t.db.insert(users).values({ email: "race@example.com", passwordHash: legacy }).returning();
    const changed = await hashPassword("a brand new password");
    // The sign-in reads the bcrypt hash; the change lands while argon2 computes the new one.
    const signIn = verifyCredentials(t.db, throttle(), { email: "race@example.com", password: "first password here" }, "10.0.0.2");
    await new Promise((r) => setTimeout(r, 50));
    await t.db.update(users).set({ passwordHash: changed }).where(eq(users.id, user!.id));
    expect((await signIn).ok).toBe(true);
    expect(await hashOf("race@example.com")).toBe(changed);
  });
});
