import { Writable } from "node:stream";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUp } from "@/lib/auth/sign-up";
import { logTo } from "@/lib/log";
import { serializeError } from "@/lib/log-redact";
import { createTestDatabase, type TestDatabase } from "../support/test-database";

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: logTo(stream), text: () => lines.join("") };
}

describe("logs carry no secrets or personal data", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    // A sign-up that fails in the database for a reason other than a taken email.
    await t.db.execute(sql`alter table users add constraint no_boom check (name <> 'Boom Boom')`);
  });
  afterAll(() => t.drop());

  it("a failed sign-up throws and logs without the password hash, the email or the name", async () => {
    const error = await signUp(t.db, { name: "Boom Boom", email: "victim@example.com", password: "a long secret pass" }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    const thrown = `${(error as Error).message}\n${(error as Error).stack}`;
    expect(thrown).toContain('Failed query: insert into "users"');
    expect(thrown).not.toMatch(/\$argon2id|victim@example\.com|Boom Boom/);
    expect((error as { code?: string }).code).toBe("23514");

    const { logger, text } = capture();
    logger.error({ err: error }, "sign-up failed");
    expect(text()).not.toMatch(/\$argon2id|victim@example\.com|Boom Boom/);
    expect(JSON.parse(text())).toMatchObject({ err: { code: "23514", message: expect.stringContaining("params: [redacted]") } });
  });

  it("the raw Drizzle error, logged as it is, loses its parameters and the server's detail", async () => {
    const raw = await t.db
      .execute(sql`insert into users (id, name, email, password_hash) values ('u1', ${"Boom Boom"}, ${"victim2@example.com"}, ${"$argon2id$v=19$secret"})`)
      .then(
        () => null,
        (e: unknown) => e,
      );
    // Without the serializer the message itself holds every value.
    expect(String((raw as Error).message)).toContain("victim2@example.com");
    const { logger, text } = capture();
    logger.error({ err: raw }, "insert failed");
    expect(text()).not.toMatch(/\$argon2id|victim2@example\.com|Boom Boom/);
    expect(serializeError(raw)).toMatchObject({ type: "DrizzleQueryError", cause: { code: "23514", constraint_name: "no_boom" } });
  });

  it("a unique violation's detail (Key (email)=(…)) never reaches the log", async () => {
    await t.db.execute(sql`insert into users (id, email) values ('u2', 'taken@example.com')`);
    const raw = await t.db.execute(sql`insert into users (id, email) values ('u3', ${"taken@example.com"})`).then(
      () => null,
      (e: unknown) => e,
    );
    expect(JSON.stringify((raw as { cause?: { detail?: string } }).cause?.detail)).toContain("taken@example.com");
    const { logger, text } = capture();
    logger.error({ err: raw }, "insert failed");
    expect(text()).not.toContain("taken@example.com");
  });

  it("redacts secret and personal fields wherever a log call passes them", () => {
    const { logger, text } = capture();
    logger.info(
      {
        email: "ann@example.com",
        password: "pw-123456789",
        user: { email: "bob@example.com", passwordHash: "$argon2id$x" },
        headers: { authorization: "Bearer lk_secret", cookie: "authjs.session-token=abc" },
        request: { token: "raw-token-value", apiKey: "lk_other" },
        memberId: 42,
      },
      "something happened",
    );
    const out = text();
    for (const secret of ["ann@example.com", "pw-123456789", "bob@example.com", "$argon2id$x", "lk_secret", "abc", "raw-token-value", "lk_other"]) {
      expect(out).not.toContain(secret);
    }
    expect(JSON.parse(out)).toMatchObject({ memberId: 42, email: "[redacted]", user: { email: "[redacted]" } });
  });
});
