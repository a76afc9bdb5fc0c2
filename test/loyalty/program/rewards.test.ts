import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { auditLog, rewards } from "@/db/schema";
import { createReward, getReward, listRewards, setRewardActive, updateReward } from "@/lib/loyalty/program/rewards";
import { createTestDatabase, type TestDatabase } from "../../support/test-database";
import { admin, marketing, member, support } from "../support/actors";
import { loyaltyErrorOf } from "../support/errors";

const valid = {
  name: "Free coffee",
  description: "Any size",
  imageUrl: "https://cdn.example.com/coffee.png",
  pointsCost: "250",
  stock: "",
  startsAt: "2026-12-01T08:00",
  endsAt: "",
  timeZone: "Europe/Paris",
};

describe("reward catalog", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  it("creates an unlimited reward from form values, its window read in the zone, audited", async () => {
    const reward = await createReward(t.db, valid, { actor: marketing });
    expect(reward).toMatchObject({ name: "Free coffee", pointsCost: 250, stock: null, active: true, endsAt: null });
    expect(reward.startsAt).toEqual(new Date("2026-12-01T07:00:00Z"));
    const [entry] = await t.db.select().from(auditLog).where(eq(auditLog.action, "reward.create"));
    expect(entry).toMatchObject({ actor: "user:u-marketing", targetId: String(reward.id) });
  });

  it("updates stock and retires a reward; both audited", async () => {
    const reward = await createReward(t.db, { ...valid, stock: 10 }, { actor: admin });
    const updated = await updateReward(t.db, reward.id, { ...valid, stock: "3", pointsCost: 300 }, { actor: marketing });
    expect(updated).toMatchObject({ stock: 3, pointsCost: 300 });
    const retired = await setRewardActive(t.db, reward.id, false, { actor: marketing });
    expect(retired.active).toBe(false);
    const actions = await t.db
      .select({ action: auditLog.action, before: auditLog.before })
      .from(auditLog)
      .where(eq(auditLog.targetId, String(reward.id)))
      .orderBy(auditLog.id);
    expect(actions.map((a) => a.action)).toEqual(["reward.create", "reward.update", "reward.deactivate"]);
    expect(actions[1]!.before).toMatchObject({ stock: 10, pointsCost: 250 });
  });

  it.each([
    [{ pointsCost: 0 }, "pointsCost"],
    [{ pointsCost: "12.5" }, "pointsCost"],
    [{ stock: -1 }, "stock"],
    [{ name: "" }, "name"],
    [{ imageUrl: "javascript:alert(1)" }, "imageUrl"],
    [{ startsAt: "2026-12-02T00:00", endsAt: "2026-12-01T00:00" }, "endsAt"],
  ])("refuses %j and writes nothing", async (change, field) => {
    const before = (await t.db.select({ n: sql<number>`count(*)::int` }).from(rewards))[0]!.n;
    const error = await loyaltyErrorOf(createReward(t.db, { ...valid, ...change }, { actor: marketing }));
    expect(error.code).toBe("validation_failed");
    expect(error.field?.split(".")[0]).toBe(field);
    expect((await t.db.select({ n: sql<number>`count(*)::int` }).from(rewards))[0]!.n).toBe(before);
  });

  it("refuses support and members for every catalog function", async () => {
    const reward = await createReward(t.db, valid, { actor: admin });
    for (const actor of [support, member]) {
      expect((await loyaltyErrorOf(createReward(t.db, valid, { actor }))).code).toBe("forbidden");
      expect((await loyaltyErrorOf(updateReward(t.db, reward.id, valid, { actor }))).code).toBe("forbidden");
      expect((await loyaltyErrorOf(setRewardActive(t.db, reward.id, false, { actor }))).code).toBe("forbidden");
      expect((await loyaltyErrorOf(listRewards(t.db, actor))).code).toBe("forbidden");
      expect((await loyaltyErrorOf(getReward(t.db, actor, reward.id))).code).toBe("forbidden");
    }
  });

  it("pages the catalog newest first by keyset", async () => {
    const first = await listRewards(t.db, marketing, { limit: 2 });
    expect(first.items).toHaveLength(2);
    const second = await listRewards(t.db, marketing, { limit: 2, cursor: first.nextCursor });
    expect(second.items[0]!.id).toBeLessThan(first.items[1]!.id);
  });

  it("answers reward_not_found for an id that is not a positive whole number (a tampered form)", async () => {
    for (const id of [Number("abc"), 0, 2.5]) {
      expect((await loyaltyErrorOf(updateReward(t.db, id, {}, { actor: marketing }))).code).toBe("reward_not_found");
      expect((await loyaltyErrorOf(setRewardActive(t.db, id, false, { actor: marketing }))).code).toBe("reward_not_found");
    }
  });
});
