import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { pointTransactions } from "@/db/schema";
import { checkInForUser } from "@/lib/portal/actions/check-in";
import { getDashboard } from "@/lib/portal/dashboard-queries";
import { createTestDatabase, type TestDatabase } from "../support/test-database";
import { createMemberUser } from "./fixtures";

describe("checkInForUser", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  it("refuses the signed-out and non-members", async () => {
    expect((await checkInForUser(t.db, null, new Date())).status).toBe("error");
    const staff = await createMemberUser(t.db, ["marketing"]);
    expect(await checkInForUser(t.db, staff, new Date())).toMatchObject({ status: "error", formError: "Only members can do this." });
  });

  it("awards once per UTC day and carries the streak to the next day", async () => {
    const user = await createMemberUser(t.db);
    const day1 = new Date("2026-03-10T08:00:00Z");
    expect(await checkInForUser(t.db, user, day1)).toEqual({ status: "success", points: 10, streak: 1 });
    const again = await checkInForUser(t.db, user, new Date("2026-03-10T23:59:00Z"));
    expect(again).toMatchObject({ status: "error", formError: expect.stringMatching(/already checked in/) });
    expect(await checkInForUser(t.db, user, new Date("2026-03-11T00:01:00Z"))).toMatchObject({ status: "success", streak: 2 });

    const rows = await t.db.select().from(pointTransactions).where(eq(pointTransactions.memberId, user.memberId!));
    expect(rows).toHaveLength(2);
    const dashboard = await getDashboard(t.db, user.memberId!, new Date("2026-03-11T12:00:00Z"));
    expect(dashboard?.checkIn).toEqual({ checkedInToday: true, streak: 2 });
    expect(dashboard?.availablePoints).toBe(20);
  });
});
