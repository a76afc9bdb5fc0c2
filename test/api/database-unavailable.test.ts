import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { connectPostgres, queryRows, setDbHandle } from "@/db/client";
import { isDatabaseUnavailable } from "@/db/errors";
import { setCacheStore } from "@/lib/cache/cache";
import { errorResponse } from "@/lib/http/responses";
import { POST as postEvent } from "@/app/api/v1/events/route";
import { POST as postBatch } from "@/app/api/v1/events/batch/route";
import { POST as postRedemption } from "@/app/api/v1/members/[externalId]/redemptions/route";
import { createTestDatabase, type TestDatabase } from "../support/test-database";

/**
 * A database that is down or going away is answered 503 `service_unavailable` with Retry-After
 * (the client may retry with the same reference), not 500. The errors are real ones: a refused
 * connection and a session terminated by the server (57P01, as a restart ends it). The chaos run
 * (chaos/run.ts) asserts the same against `next start` while its own PostgreSQL is stopped.
 */
async function deadPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function answer(response: Response) {
  return { status: response.status, retryAfter: response.headers.get("retry-after"), body: (await response.json()) as Record<string, unknown> };
}

describe("the REST edge while the database is unavailable", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    setDbHandle(undefined);
    await setCacheStore(undefined)?.close();
    await t.drop();
  });

  it("answers 503 with Retry-After on every write route when connections are refused", async () => {
    const handle = connectPostgres(`postgres://postgres@127.0.0.1:${await deadPort()}/nothing`, { max: 2 });
    setDbHandle(handle);
    try {
      const headers = { authorization: "Bearer lk_chaos-test-key-never-created", "content-type": "application/json" };
      const event = { type: "purchase", memberExternalId: "m-1", referenceId: "o-1", amountCents: 1_000 };
      const calls = [
        postEvent(new Request("http://localhost/api/v1/events", { method: "POST", headers, body: JSON.stringify(event) }), { params: Promise.resolve({}) }),
        postBatch(new Request("http://localhost/api/v1/events/batch", { method: "POST", headers, body: JSON.stringify({ events: [event] }) }), {
          params: Promise.resolve({}),
        }),
        postRedemption(
          new Request("http://localhost/api/v1/members/m-1/redemptions", { method: "POST", headers, body: JSON.stringify({ points: 5, referenceId: "r-1" }) }),
          { params: Promise.resolve({ externalId: "m-1" }) },
        ),
      ];
      for (const response of await Promise.all(calls)) {
        const { status, retryAfter, body } = await answer(response);
        expect(status).toBe(503);
        expect(Number(retryAfter)).toBeGreaterThan(0);
        expect(body.error).toBe("service_unavailable");
        expect(typeof body.message).toBe("string");
      }
    } finally {
      setDbHandle(undefined);
      await handle.close();
    }
  });

  it("answers 503 for a session the server terminates (admin shutdown, 57P01), 500 for a real bug", async () => {
    const victim = t.connect(1);
    const [{ pid }] = (await queryRows<{ pid: number }>(victim.db, sql`SELECT pg_backend_pid() AS pid`)) as [{ pid: number }];
    const sleeping = victim.db.execute(sql`SELECT pg_sleep(30)`).then(
      () => undefined,
      (error: unknown) => error,
    );
    await new Promise((r) => setTimeout(r, 200));
    await t.db.execute(sql`SELECT pg_terminate_backend(${pid})`);
    const error = await sleeping;
    expect(error).toBeDefined();
    expect(isDatabaseUnavailable(error)).toBe(true);
    const { status, retryAfter, body } = await answer(errorResponse(error));
    expect(status).toBe(503);
    expect(retryAfter).not.toBeNull();
    expect(body.error).toBe("service_unavailable");

    // A statement the server rejects for what it says (not for being down) stays a 500.
    const syntax = await t.db.execute(sql`SELECT * FROM no_such_table`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isDatabaseUnavailable(syntax)).toBe(false);
    expect(errorResponse(syntax).status).toBe(500);
  });
});
