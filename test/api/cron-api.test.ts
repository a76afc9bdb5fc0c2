import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { GET as expirePoints } from "@/app/api/cron/expire-points/route";
import { GET as expiryReminders } from "@/app/api/cron/expiry-reminders/route";
import { GET as ledgerSnapshot } from "@/app/api/cron/ledger-snapshot/route";
import { GET as vestPoints } from "@/app/api/cron/vest-points/route";
import { GET as expireHolds } from "@/app/api/cron/expire-holds/route";
import { GET as recalculateTiers } from "@/app/api/cron/recalculate-tiers/route";
import { GET as pruneWebhooks } from "@/app/api/cron/prune-webhooks/route";
import { members, pointBalances, pointTransactions } from "@/db/schema";
import { resetEnvCache } from "@/lib/env";
import { call, createApiHarness, type ApiHarness } from "./api-harness";

const SECRET = "cron-secret-for-tests-0123456789";

const jobs = [
  ["expire-points", expirePoints],
  ["recalculate-tiers", recalculateTiers],
  ["expiry-reminders", expiryReminders],
  ["ledger-snapshot", ledgerSnapshot],
  ["vest-points", vestPoints],
  ["expire-holds", expireHolds],
  ["prune-webhooks", pruneWebhooks],
] as const;

describe.each(jobs)("GET /api/cron/%s", (job, handler) => {
  let h: ApiHarness;
  const previous = process.env.CRON_SECRET;
  beforeAll(async () => {
    h = await createApiHarness();
  });
  afterAll(async () => {
    if (previous === undefined) delete process.env.CRON_SECRET;
    else process.env.CRON_SECRET = previous;
    resetEnvCache();
    await h.close();
  });
  const setSecret = (secret: string | undefined) => {
    if (secret === undefined) delete process.env.CRON_SECRET;
    else process.env.CRON_SECRET = secret;
    resetEnvCache();
  };
  const run = (authorization?: string) => call(handler, `/api/cron/${job}`, { headers: authorization ? { authorization } : {} });

  it("refuses every call while CRON_SECRET is unset, even one presenting an empty or 'undefined' secret", async () => {
    setSecret(undefined);
    for (const authorization of [undefined, "Bearer undefined", "Bearer ", `Bearer ${SECRET}`]) {
      const result = await run(authorization);
      expect([result.status, result.body.error]).toEqual([401, "unauthorized"]);
    }
  });

  it("refuses a missing or wrong secret with 401", async () => {
    setSecret(SECRET);
    for (const authorization of [undefined, `Bearer ${SECRET}x`, `Bearer ${SECRET.slice(0, -1)}`, SECRET, `Basic ${SECRET}`]) {
      const result = await run(authorization);
      expect([authorization, result.status, result.body.error]).toEqual([authorization, 401, "unauthorized"]);
    }
  });

  it("runs the job with the right secret and answers its summary", async () => {
    setSecret(SECRET);
    const result = await run(`Bearer ${SECRET}`);
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ job, summary: expect.any(Object), durationMs: expect.any(Number) });
  });
});

describe("GET /api/cron/recalculate-tiers does the work only with the secret", () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await createApiHarness();
  });
  afterAll(async () => {
    delete process.env.CRON_SECRET;
    resetEnvCache();
    await h.close();
  });

  it("leaves tiers alone on 401 and upgrades a member who spent 600.00 on 200", async () => {
    const [member] = await h.t.db.insert(members).values({ externalId: "spender" }).returning();
    const now = Date.now();
    await h.t.db.insert(pointBalances).values({ memberId: member!.id, availablePoints: 600 });
    await h.t.db.insert(pointTransactions).values({
      memberId: member!.id,
      type: "earn",
      amount: 600,
      remaining: 600,
      referenceType: "purchase",
      referenceId: "big-order",
      spendAmount: 60_000,
      occurredAt: new Date(now - 86_400_000),
      expiresAt: new Date(now + 300 * 86_400_000),
    });
    const tier = async () => (await h.t.db.select({ tier: members.tier }).from(members).where(eq(members.id, member!.id)))[0]!.tier;

    process.env.CRON_SECRET = SECRET;
    resetEnvCache();
    const refused = await call(recalculateTiers, "/api/cron/recalculate-tiers", { headers: { authorization: "Bearer wrong-secret-0123456789" } });
    expect(refused.status).toBe(401);
    expect(await tier()).toBe("bronze");

    const done = await call(recalculateTiers, "/api/cron/recalculate-tiers", { headers: { authorization: `Bearer ${SECRET}` } });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ job: "recalculate-tiers", summary: { upgraded: 1 } });
    expect(await tier()).toBe("silver");
  });
});

describe("GET /api/cron/expire-points does the work only with the secret", () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await createApiHarness();
  });
  afterAll(async () => {
    delete process.env.CRON_SECRET;
    resetEnvCache();
    await h.close();
  });

  it("leaves a past-due lot open on 401 and expires it on 200", async () => {
    const [member] = await h.t.db.insert(members).values({ externalId: "lapsed" }).returning();
    const now = Date.now();
    await h.t.db.insert(pointBalances).values({ memberId: member!.id, availablePoints: 70 });
    const [lot] = await h.t.db
      .insert(pointTransactions)
      .values({
        memberId: member!.id,
        type: "earn",
        amount: 70,
        remaining: 70,
        referenceType: "review",
        referenceId: "old-review",
        occurredAt: new Date(now - 400 * 86_400_000),
        expiresAt: new Date(now - 35 * 86_400_000),
      })
      .returning();
    const remaining = async () =>
      (await h.t.db.select({ r: pointTransactions.remaining }).from(pointTransactions).where(eq(pointTransactions.id, lot!.id)))[0]!.r;

    process.env.CRON_SECRET = SECRET;
    resetEnvCache();
    const refused = await call(expirePoints, "/api/cron/expire-points", { headers: { authorization: "Bearer wrong-secret-0123456789" } });
    expect(refused.status).toBe(401);
    expect(await remaining()).toBe(70);

    const done = await call(expirePoints, "/api/cron/expire-points", { headers: { authorization: `Bearer ${SECRET}` } });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ job: "expire-points", summary: { lotsExpired: 1, pointsExpired: 70, membersAffected: 1 } });
    expect(await remaining()).toBe(0);
  });
});
