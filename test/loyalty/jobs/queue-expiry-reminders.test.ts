import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { asc, eq, isNotNull } from "drizzle-orm";
import { notifications } from "@/db/schema";
import { resetEnvCache } from "@/lib/env";
import { reminderWindows } from "@/lib/loyalty/jobs/queue-expiry-reminders";
import { listNotifications, markNotificationRead } from "@/lib/loyalty/members/notifications";
import { runExpiryReminders } from "@/lib/mail/expiry-reminder-job";
import { createSmtpMailer } from "@/lib/mail/mailer";
import { createTestDatabase, type TestDatabase } from "../../support/test-database";
import { daysAfter, daysBefore, insertMember, insertPurchase } from "../../ops/support/ledger-fixtures";
import { refusedSmtpUrl, startSmtpSink, type SmtpSink } from "../../support/smtp-sink";

const NOW = new Date("2026-03-10T22:30:00Z");
const FROM = "Loyalty <no-reply@loyalty.test>";

describe("reminderWindows", () => {
  it("covers whole UTC days 30, 7 and 1 days ahead of now's UTC day", () => {
    expect(reminderWindows(NOW).map((w) => [w.thresholdDays, w.expiresOn, w.from.toISOString()])).toEqual([
      [30, "2026-04-09", "2026-04-09T00:00:00.000Z"],
      [7, "2026-03-17", "2026-03-17T00:00:00.000Z"],
      [1, "2026-03-11", "2026-03-11T00:00:00.000Z"],
    ]);
  });
});

describe("queueExpiryReminders", () => {
  let t: TestDatabase;
  let smtp: SmtpSink;
  let ann: number;
  let bob: number;

  beforeAll(async () => {
    smtp = await startSmtpSink();
  });
  afterAll(() => smtp.close());
  beforeEach(async () => {
    t = await createTestDatabase({ poolMax: 4 });
    smtp.received.length = 0;
    ann = await insertMember(t.db, "ann", "ann@example.test");
    bob = await insertMember(t.db, "bob"); // no email: inbox only
    const earned = daysBefore(NOW, 300);
    // Two of Ann's lots expire on the 30-day day (one reminder, points summed), one on the 7-day day.
    await insertPurchase(t.db, ann, { spendCents: 10_000, occurredAt: earned, expiresAt: new Date("2026-04-09T00:00:00Z") });
    await insertPurchase(t.db, ann, { spendCents: 25_000, occurredAt: earned, expiresAt: new Date("2026-04-09T23:59:59Z") });
    await insertPurchase(t.db, ann, { spendCents: 5_000, occurredAt: earned, expiresAt: new Date("2026-03-17T12:00:00Z") });
    // Not reminded: already spent, a day outside the windows, the day after the 30-day window.
    await insertPurchase(t.db, ann, { spendCents: 9_900, occurredAt: earned, expiresAt: daysAfter(NOW, 7), remaining: 0 });
    await insertPurchase(t.db, ann, { spendCents: 7_700, occurredAt: earned, expiresAt: new Date("2026-03-20T08:00:00Z") });
    await insertPurchase(t.db, ann, { spendCents: 8_800, occurredAt: earned, expiresAt: new Date("2026-04-10T00:00:00Z") });
    // Bob's lot, partly consumed, expires tomorrow.
    await insertPurchase(t.db, bob, { spendCents: 12_000, occurredAt: earned, expiresAt: new Date("2026-03-11T06:00:00Z"), remaining: 20 });
  });
  afterEach(async () => {
    await t.drop();
    delete process.env.SMTP_URL;
    resetEnvCache();
  });

  const inbox = async () =>
    t.db
      .select({
        memberId: notifications.memberId,
        thresholdDays: notifications.thresholdDays,
        expiresOn: notifications.expiresOn,
        points: notifications.points,
      })
      .from(notifications)
      .orderBy(asc(notifications.memberId), asc(notifications.thresholdDays));

  it("queues one reminder per member, threshold and expiry day, and never twice", async () => {
    const first = await runExpiryReminders(t.db, { now: NOW, mailer: null });
    expect(first).toEqual({ queued: 3, emailed: 0, emailFailed: 0 });
    expect(await inbox()).toEqual([
      { memberId: ann, thresholdDays: 7, expiresOn: "2026-03-17", points: 50 },
      { memberId: ann, thresholdDays: 30, expiresOn: "2026-04-09", points: 350 },
      { memberId: bob, thresholdDays: 1, expiresOn: "2026-03-11", points: 20 },
    ]);
    // Later the same UTC day, and two runs racing on separate connections: nothing more.
    const later = new Date("2026-03-10T23:59:00Z");
    const other = t.connect(2);
    const again = await Promise.all([runExpiryReminders(t.db, { now: later, mailer: null }), runExpiryReminders(other.db, { now: later, mailer: null })]);
    expect(again.map((r) => r.queued)).toEqual([0, 0]);
    expect(await t.db.$count(notifications)).toBe(3);
  });

  it("emails the reminders through the SMTP server named by SMTP_URL, once", async () => {
    process.env.SMTP_URL = smtp.url;
    resetEnvCache();
    const first = await runExpiryReminders(t.db, { now: NOW });
    expect(first).toEqual({ queued: 3, emailed: 2, emailFailed: 0 });
    expect(smtp.received).toHaveLength(2);
    expect(smtp.received.every((m) => m.to.join() === "ann@example.test")).toBe(true);
    const subjects = smtp.received.map((m) => /^Subject: (.*)$/m.exec(m.raw)?.[1]).sort();
    expect(subjects).toEqual(["350 points expire in 30 days", "50 points expire in 7 days"]);

    const emailed = await t.db.$count(notifications, isNotNull(notifications.emailedAt));
    expect(emailed).toBe(2);
    expect(await runExpiryReminders(t.db, { now: NOW })).toEqual({ queued: 0, emailed: 0, emailFailed: 0 });
    expect(smtp.received).toHaveLength(2);
  });

  it("keeps reminders SMTP refused unsent, and sends them on the next run", async () => {
    const down = createSmtpMailer(await refusedSmtpUrl(), FROM);
    expect(await runExpiryReminders(t.db, { now: NOW, mailer: down })).toEqual({ queued: 3, emailed: 0, emailFailed: 2 });
    down.close();
    expect(await t.db.$count(notifications, isNotNull(notifications.emailedAt))).toBe(0);

    const up = createSmtpMailer(smtp.url, FROM);
    const retry = await runExpiryReminders(t.db, { now: NOW, mailer: up });
    up.close();
    expect(retry).toEqual({ queued: 0, emailed: 2, emailFailed: 0 });
    expect(smtp.received).toHaveLength(2);
  });

  it("shows reminders in the member's inbox, newest first, and only the owner marks them read", async () => {
    await runExpiryReminders(t.db, { now: NOW, mailer: null });
    const page1 = await listNotifications(t.db, ann, { limit: 1 });
    expect(page1.items).toHaveLength(1);
    expect(page1.nextCursor).not.toBeNull();
    const page2 = await listNotifications(t.db, ann, { limit: 1, cursor: page1.nextCursor });
    expect(page2.items).toHaveLength(1);
    expect(page2.nextCursor).toBeNull();
    expect(page1.items[0]!.id).toBeGreaterThan(page2.items[0]!.id);

    const id = page1.items[0]!.id;
    expect(await markNotificationRead(t.db, bob, id)).toBe(false);
    expect(await markNotificationRead(t.db, ann, id)).toBe(true);
    expect(await markNotificationRead(t.db, ann, id)).toBe(false);
    const [row] = await t.db.select().from(notifications).where(eq(notifications.id, id));
    expect(row!.readAt).not.toBeNull();
  });
});
