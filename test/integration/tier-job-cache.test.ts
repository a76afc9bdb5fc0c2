import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { members } from "@/db/schema";
import { setCacheStore } from "@/lib/cache/cache";
import { cachedMemberSummary } from "@/lib/cache/member-summary-cache";
import { MemoryStore } from "@/lib/cache/memory-store";
import { ensureMember } from "@/lib/loyalty/members/ensure-member";
import { recalculateTiers } from "@/lib/loyalty/jobs/recalculate-tiers";
import { createTestDatabase, type TestDatabase } from "../support/test-database";

describe("nightly tier job and the cached member summary", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    await setCacheStore(new MemoryStore())?.close();
  });
  afterAll(async () => {
    await setCacheStore(undefined)?.close();
    await t.drop();
  });

  it("a member the job moves shows the new tier at once, not after the summary's TTL", async () => {
    const { member } = await ensureMember(t.db, { externalId: "tier-cache-1" });
    // Gold without a purchase in the window: the job must take it back down (one step per review, no grace by default).
    await t.db.update(members).set({ tier: "gold" }).where(eq(members.id, member.id));
    expect((await cachedMemberSummary(t.db, "tier-cache-1")).tier).toBe("gold");

    const result = await recalculateTiers(t.db, { now: new Date() });
    expect(result.downgraded).toBe(1);
    expect((await cachedMemberSummary(t.db, "tier-cache-1")).tier).toBe("silver");
  });
});
