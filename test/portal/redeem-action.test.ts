import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { pointTransactions, rewards } from "@/db/schema";
import { redeemForUser } from "@/lib/portal/actions/redeem";
import { createTestDatabase, type TestDatabase } from "../support/test-database";
import { createMemberUser, earn } from "./fixtures";

const key = () => crypto.randomUUID();

describe("redeemForUser", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  async function redemptionsOf(memberId: number) {
    return t.db
      .select()
      .from(pointTransactions)
      .where(eq(pointTransactions.memberId, memberId))
      .then((rows) => rows.filter((r) => r.type === "redeem"));
  }

  it("refuses a signed-out visitor and a user who is not a member, writing nothing", async () => {
    const out = await redeemForUser(t.db, null, { mode: "points", points: "10", idempotencyKey: key() }, new Date());
    expect(out).toMatchObject({ status: "error", formError: expect.stringMatching(/sign in/i) });

    const staff = await createMemberUser(t.db, ["support"]);
    const refused = await redeemForUser(t.db, { ...staff, memberId: null }, { mode: "points", points: "10", idempotencyKey: key() }, new Date());
    expect(refused).toMatchObject({ status: "error", formError: "Only members can do this." });
    const noRole = await redeemForUser(t.db, staff, { mode: "points", points: "10", idempotencyKey: key() }, new Date());
    expect(noRole.status).toBe("error");
    expect(await t.db.select().from(pointTransactions).where(eq(pointTransactions.type, "redeem"))).toHaveLength(0);
  });

  it.each([
    [{ mode: "points", points: "0", idempotencyKey: "k" }, ["points", "idempotencyKey"]],
    [{ mode: "points", points: "-5", idempotencyKey: crypto.randomUUID() }, ["points"]],
    [{ mode: "points", points: "1.5", idempotencyKey: crypto.randomUUID() }, ["points"]],
    [{ mode: "points", points: "abc", idempotencyKey: crypto.randomUUID() }, ["points"]],
    [{ mode: "points", points: "99999999999999", idempotencyKey: crypto.randomUUID() }, ["points"]],
    [{ mode: "reward", rewardId: "x", idempotencyKey: crypto.randomUUID() }, ["rewardId"]],
    [{ mode: "cash", points: "10", idempotencyKey: crypto.randomUUID() }, ["mode"]],
  ])("rejects bad input %j with field errors", async (input, fields) => {
    const user = await createMemberUser(t.db);
    await earn(t.db, user.externalId, 100_00);
    const out = await redeemForUser(t.db, user, input, new Date());
    expect(out.status).toBe("error");
    for (const f of fields) expect(out.status === "error" && out.fieldErrors?.[f as "points"]).toBeTruthy();
    expect(await redemptionsOf(user.memberId!)).toHaveLength(0);
  });

  it("redeems from the session's member only, whatever memberId the form carries", async () => {
    const victim = await createMemberUser(t.db);
    const thief = await createMemberUser(t.db);
    await earn(t.db, victim.externalId, 500_00);
    await earn(t.db, thief.externalId, 50_00);
    const out = await redeemForUser(
      t.db,
      thief,
      { mode: "points", points: "100", idempotencyKey: key(), memberId: String(victim.memberId), memberExternalId: victim.externalId },
      new Date(),
    );
    expect(out).toMatchObject({ status: "error", formError: expect.stringMatching(/not have enough points/) });
    expect(await redemptionsOf(victim.memberId!)).toHaveLength(0);

    const ok = await redeemForUser(t.db, thief, { mode: "points", points: "20", idempotencyKey: key(), memberId: String(victim.memberId) }, new Date());
    expect(ok).toMatchObject({ status: "success", points: 20, availablePoints: 30 });
    expect(await redemptionsOf(thief.memberId!)).toHaveLength(1);
    expect(await redemptionsOf(victim.memberId!)).toHaveLength(0);
  });

  it("answers an overspend with a clear message and writes nothing", async () => {
    const user = await createMemberUser(t.db);
    await earn(t.db, user.externalId, 30_00);
    const out = await redeemForUser(t.db, user, { mode: "points", points: "31", idempotencyKey: key() }, new Date());
    expect(out).toMatchObject({ status: "error", formError: expect.stringMatching(/not have enough points/), values: { points: "31" } });
    expect(await redemptionsOf(user.memberId!)).toHaveLength(0);
  });

  it("redeems once for one attempt, even when submitted twice at the same time", async () => {
    const user = await createMemberUser(t.db);
    await earn(t.db, user.externalId, 100_00);
    const attempt = { mode: "points", points: "60", idempotencyKey: key() };
    const [a, b] = await Promise.all([redeemForUser(t.db, user, attempt, new Date()), redeemForUser(t.db, user, attempt, new Date())]);
    expect([a.status, b.status]).toEqual(["success", "success"]);
    const duplicates = [a, b].map((r) => r.status === "success" && r.duplicate).sort();
    expect(duplicates).toEqual([false, true]);
    expect(await redemptionsOf(user.memberId!)).toHaveLength(1);

    const again = await redeemForUser(t.db, user, attempt, new Date());
    expect(again).toMatchObject({ status: "success", duplicate: true, availablePoints: 40 });
    expect(await redemptionsOf(user.memberId!)).toHaveLength(1);
  });

  it("redeems a catalog reward at its cost and says when it is out of stock", async () => {
    const user = await createMemberUser(t.db);
    await earn(t.db, user.externalId, 1_000_00);
    const [reward] = await t.db.insert(rewards).values({ name: "Mug", pointsCost: 250, stock: 1 }).returning();
    const ok = await redeemForUser(t.db, user, { mode: "reward", rewardId: String(reward!.id), idempotencyKey: key() }, new Date());
    expect(ok).toMatchObject({ status: "success", points: 250, availablePoints: 750, rewardName: "Mug" });
    const sold = await redeemForUser(t.db, user, { mode: "reward", rewardId: String(reward!.id), idempotencyKey: key() }, new Date());
    expect(sold).toMatchObject({ status: "error", formError: "Sorry, this reward is out of stock." });
    const missing = await redeemForUser(t.db, user, { mode: "reward", rewardId: "999999", idempotencyKey: key() }, new Date());
    expect(missing).toMatchObject({ status: "error", fieldErrors: { rewardId: expect.any(String) } });
    expect(await redemptionsOf(user.memberId!)).toHaveLength(1);
  });
});
