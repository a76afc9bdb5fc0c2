import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { notifications } from "@/db/schema";
import { markNotificationReadForUser } from "@/lib/portal/actions/mark-notification-read";
import { unreadNotificationCount } from "@/lib/portal/unread-count";
import { createTestDatabase, type TestDatabase } from "../support/test-database";
import { createMemberUser } from "./fixtures";

describe("markNotificationReadForUser", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  it("marks the member's own notification read and refuses another member's", async () => {
    const owner = await createMemberUser(t.db);
    const other = await createMemberUser(t.db);
    const [n] = await t.db
      .insert(notifications)
      .values({ memberId: owner.memberId!, kind: "expiry_reminder", thresholdDays: 7, expiresOn: "2026-05-01", points: 120 })
      .returning();
    const now = new Date();

    expect((await markNotificationReadForUser(t.db, null, { notificationId: String(n!.id) }, now)).status).toBe("error");
    expect(await markNotificationReadForUser(t.db, other, { notificationId: String(n!.id) }, now)).toMatchObject({ status: "error" });
    expect(await markNotificationReadForUser(t.db, owner, { notificationId: "abc" }, now)).toMatchObject({ status: "error" });
    expect((await t.db.select().from(notifications).where(eq(notifications.id, n!.id)))[0]!.readAt).toBeNull();
    expect(await unreadNotificationCount(t.db, owner.memberId!)).toBe(1);

    expect(await markNotificationReadForUser(t.db, owner, { notificationId: String(n!.id) }, now)).toEqual({ status: "success" });
    expect(await unreadNotificationCount(t.db, owner.memberId!)).toBe(0);
  });
});
