import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { ensureMember } from "@/lib/loyalty/members/ensure-member";
import { auditLog, users } from "@/db/schema";
import { signUp, signUpSchema } from "@/lib/auth/sign-up";
import { createTestDatabase, type TestDatabase } from "../support/test-database";

const MIGRATION = fs.readdirSync(path.resolve(import.meta.dirname, "../../drizzle")).find((f) => f.endsWith("_users_email_lower_unique.sql"))!;
const statements = fs
  .readFileSync(path.resolve(import.meta.dirname, "../../drizzle", MIGRATION), "utf8")
  .split("--> statement-breakpoint")
  .map((s) => s.trim());

describe("users.email is unique whatever its letter case", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  it("refuses a second account with the same email in another case, at sign-up and in the database", async () => {
    await t.db.insert(users).values({ email: "case@example.com" });
    await expect(t.db.insert(users).values({ email: "Case@Example.COM" })).rejects.toThrow();
    const result = await signUp(t.db, signUpSchema.parse({ name: "C", email: "case@example.com", password: "long password here" }));
    expect(result).toEqual({ ok: false, reason: "email_taken" });
    expect(await t.db.$count(users, sql`lower(${users.email}) = 'case@example.com'`)).toBe(1);
  });

  it(`migration ${MIGRATION} keeps the email on the member-linked, then verified, then oldest account, clears the others, audited`, async () => {
    // The database as it was before the migration: the plain index, and duplicates in it.
    await t.db.execute(sql`DROP INDEX users_email_lower_uq`);
    const { member } = await ensureMember(t.db, { externalId: "dup-member", email: "dup@example.com" });
    const at = (s: string) => new Date(`2026-01-0${s}T00:00:00Z`);
    const [oldest] = await t.db
      .insert(users)
      .values({ email: "Dup@example.com", createdAt: at("1") })
      .returning();
    const [verified] = await t.db
      .insert(users)
      .values({ email: "dup@EXAMPLE.com", emailVerified: at("3"), createdAt: at("2") })
      .returning();
    const [linked] = await t.db
      .insert(users)
      .values({ email: "DUP@example.com", memberId: member.id, createdAt: at("4") })
      .returning();
    const [early] = await t.db
      .insert(users)
      .values({ email: "Two@example.com", createdAt: at("1") })
      .returning();
    const [late] = await t.db
      .insert(users)
      .values({ email: "two@example.com", createdAt: at("5") })
      .returning();

    const dedupe = statements.find((s) => s.includes("WITH ranked"))!;
    const index = statements.find((s) => s.startsWith('CREATE UNIQUE INDEX "users_email_lower_uq"'))!;
    await t.db.execute(sql.raw(dedupe));
    await t.db.execute(sql.raw(index));

    const emailOf = async (id: string) => (await t.db.select({ email: users.email }).from(users).where(eq(users.id, id)))[0]!.email;
    expect(await emailOf(linked!.id)).toBe("DUP@example.com");
    expect(await emailOf(verified!.id)).toBeNull();
    expect(await emailOf(oldest!.id)).toBeNull();
    expect(await emailOf(early!.id)).toBe("Two@example.com");
    expect(await emailOf(late!.id)).toBeNull();

    const entries = await t.db.select().from(auditLog).where(eq(auditLog.action, "user.email_cleared")).orderBy(auditLog.targetId);
    expect(entries.map((e) => [e.targetId, e.actor, e.before, e.after]).sort()).toEqual(
      [
        [verified!.id, "job:migration", { email: "dup@EXAMPLE.com" }, { email: null }],
        [oldest!.id, "job:migration", { email: "Dup@example.com" }, { email: null }],
        [late!.id, "job:migration", { email: "two@example.com" }, { email: null }],
      ].sort(),
    );
    await expect(t.db.insert(users).values({ email: "TWO@example.com" })).rejects.toThrow();
  });
});
