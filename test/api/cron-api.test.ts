import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { GET as recalculateTiers } from "@/app/api/cron/recalculate-tiers/route";
import { members, pointBalances, pointTransactions } from "@/db/schema";
import { resetEnvCache } from "@/lib/env";
import { call, createApiHarness, type ApiHarness } from "./api-harness";

const SECRET = "cron-secret-for-tests-0123456789";

const jobs = [["recalculate-tiers", recalculateTiers]] as const;

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
  const run = (authorization?: string) =>
    call(handler, `/api/cron/${job}`, { headers: authorization ? { authorization } : {} });

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
