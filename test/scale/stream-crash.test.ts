import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import type { Redis } from "ioredis";
import { queryRows } from "@/db/client";
import { pointBalances } from "@/db/schema";
import { ensureMember } from "@/lib/loyalty/members/ensure-member";
import { publishEvents } from "@/lib/stream/producer";
import { createTestDatabase, type TestDatabase } from "../support/test-database";
import { pendingCount, spawnWorker, testRedis, uniqueStream, waitFor } from "./stream-support";

describe("worker killed with SIGKILL between commit and acknowledgement", () => {
  let t: TestDatabase;
  let redis: Redis;
  const stream = uniqueStream();

  beforeAll(async () => {
    t = await createTestDatabase();
    redis = testRedis();
  });
  afterAll(async () => {
    await redis.del(stream, `${stream}:dead`);
    redis.disconnect();
    await t.drop();
  });

  it("replays the unacknowledged batch after a restart and awards the points once", { timeout: 90_000 }, async () => {
    const { member } = await ensureMember(t.db, { externalId: "crash-m1" });
    const events = Array.from({ length: 20 }, (_, i) => ({
      type: "purchase" as const,
      memberExternalId: "crash-m1",
      referenceId: `crash-${i}`,
      amountCents: 1_000 * (i + 1),
    }));
    const expectedPoints = events.reduce((sum, e) => sum + Math.floor(e.amountCents / 100), 0);
    await publishEvents(redis, events, { stream });

    const first = spawnWorker(t.url, ["--stream", stream, "--consumer", "w1", "--block-ms", "200", "--pause-after-commit-ms", "120000"]);
    await waitFor(async () => first.lines.some((l) => l.includes('"msg":"committed"')), 60_000);
    first.child.kill("SIGKILL");
    await first.exited;
    expect(first.child.signalCode).toBe("SIGKILL");

    // Committed in the database, never acknowledged in Redis.
    const balance = async () => (await t.db.select().from(pointBalances).where(eq(pointBalances.memberId, member.id)))[0]!.availablePoints;
    expect(await balance()).toBe(expectedPoints);
    expect(await pendingCount(redis, stream)).toBe(20);

    const second = spawnWorker(t.url, ["--stream", stream, "--consumer", "w1", "--block-ms", "200"]);
    try {
      await waitFor(async () => (await pendingCount(redis, stream)) === 0, 60_000);
    } finally {
      second.child.kill("SIGTERM");
      await second.exited;
    }
    expect(second.lines.some((l) => l.includes('"msg":"committed"'))).toBe(true);

    const rows = await queryRows<{ n: number; points: string }>(
      t.db,
      sql`SELECT count(*)::int AS n, sum(amount) AS points FROM point_transactions WHERE member_id = ${member.id}`,
    );
    expect(rows[0]!.n).toBe(20);
    expect(Number(rows[0]!.points)).toBe(expectedPoints);
    expect(await balance()).toBe(expectedPoints);
  });
});
