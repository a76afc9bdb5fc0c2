import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { connectPglite, queryRows, type Executor } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from "@/db/seed-data/demo-accounts";
import { RealDataError, seedDemoData } from "@/db/seed";
import { members, notifications, users } from "@/db/schema";
import { verifyPassword } from "@/lib/auth/password";
import { authenticateApiKey } from "@/lib/loyalty/access/api-keys";
import { verifyLedger } from "@/lib/loyalty/jobs/verify-ledger";
import { createTestDatabase, type TestDatabase } from "../support/test-database";

const NOW = new Date("2026-11-20T10:00:00Z");

async function tableCounts(t: TestDatabase) {
  const [row] = await queryRows<Record<string, number>>(
    t.db,
    sql`SELECT (SELECT count(*)::int FROM members) AS members, (SELECT count(*)::int FROM point_transactions) AS ledger,
               (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM user_roles) AS roles,
               (SELECT count(*)::int FROM campaigns) AS campaigns, (SELECT count(*)::int FROM rewards) AS rewards,
               (SELECT count(*)::int FROM api_keys) AS api_keys, (SELECT count(*)::int FROM notifications) AS notifications,
               (SELECT count(*)::int FROM tier_history) AS tier_history`,
  );
  return row!;
}

/**
 * How the seeded ledger is booked: history rows (every row but the redemptions and the purchases
 * made "now") at their occurrence, expiries at their lot's expiry, over many days.
 */
async function bookings(db: Executor) {
  const [row] = await queryRows<{ history: number; off: number; expiries_off: number; days: number; now_rows_off: number }>(
    db,
    sql`SELECT count(*) FILTER (WHERE type <> 'redeem' AND reference_id NOT LIKE '%-campaign-1')::int AS history,
               count(*) FILTER (WHERE type <> 'redeem' AND reference_id NOT LIKE '%-campaign-1' AND created_at <> occurred_at)::int AS off,
               count(*) FILTER (WHERE type = 'expire' AND created_at <> (SELECT l.expires_at FROM point_transactions l WHERE l.id = t.related_transaction_id))::int AS expiries_off,
               count(DISTINCT (created_at AT TIME ZONE 'UTC')::date)::int AS days,
               count(*) FILTER (WHERE (type = 'redeem' OR reference_id LIKE '%-campaign-1') AND created_at < now() - interval '1 hour')::int AS now_rows_off
        FROM point_transactions t`,
  );
  return row!;
}

describe("seedDemoData", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  it("creates the demo accounts and a reconciled ledger history through the services", { timeout: 180_000 }, async () => {
    const result = await seedDemoData(t.db, { now: NOW });
    expect(result).toMatchObject({ created: true, members: 50 });
    expect(await authenticateApiKey(t.db, result.apiKey!)).toMatchObject({ name: "demo" });

    for (const account of DEMO_ACCOUNTS) {
      const [user] = await t.db.select().from(users).where(eq(users.email, account.email));
      expect(await verifyPassword(DEMO_PASSWORD, user!.passwordHash!)).toBe(true);
      const roles = await queryRows<{ role: string }>(t.db, sql`SELECT role::text AS role FROM user_roles WHERE user_id = ${user!.id} ORDER BY 1`);
      expect(roles.map((r) => r.role)).toEqual([...account.roles].sort());
      expect(user!.memberId !== null).toBe(Boolean(account.memberExternalId));
    }

    const { discrepancies, membersChecked } = await verifyLedger(t.db);
    expect(membersChecked).toBe(50);
    expect(discrepancies).toEqual([]);

    // Booked when it happened (issue 12): the per-day reports show 14 months, not one bar.
    const booked = await bookings(t.db);
    expect(booked.history).toBeGreaterThan(500);
    expect(booked).toMatchObject({ off: 0, expiries_off: 0, now_rows_off: 0 });
    expect(booked.days).toBeGreaterThan(300);

    const kinds = await queryRows<{ kind: string }>(t.db, sql`SELECT DISTINCT type || ':' || reference_type AS kind FROM point_transactions ORDER BY 1`);
    expect(kinds.map((k) => k.kind)).toEqual([
      "earn:login",
      "earn:purchase",
      "earn:referral",
      "earn:review",
      "expire:expiry",
      "redeem:redemption",
      "reverse:refund",
    ]);
    const doubled = await queryRows<{ n: number }>(
      t.db,
      sql`SELECT count(*)::int AS n FROM point_transactions WHERE campaign_id IS NOT NULL AND multiplier = 2`,
    );
    expect(doubled[0]!.n).toBeGreaterThan(0);
    const campaignsNow = await queryRows<{ active: number; scheduled: number }>(
      t.db,
      sql`SELECT count(*) FILTER (WHERE starts_at <= ${NOW.toISOString()}::timestamptz AND ends_at > ${NOW.toISOString()}::timestamptz)::int AS active,
                 count(*) FILTER (WHERE starts_at > ${NOW.toISOString()}::timestamptz)::int AS scheduled FROM campaigns`,
    );
    expect(campaignsNow[0]).toEqual({ active: 1, scheduled: 1 });

    const tiers = await queryRows<{ tier: string }>(t.db, sql`SELECT DISTINCT tier::text AS tier FROM members ORDER BY 1`);
    expect(tiers.map((r) => r.tier)).toEqual(["bronze", "gold", "silver"]);
    // Points about to expire: the showcase member has reminders waiting in the inbox.
    const [showcase] = await t.db.select().from(members).where(eq(members.externalId, "demo-0001"));
    expect(await t.db.$count(notifications, eq(notifications.memberId, showcase!.id))).toBeGreaterThanOrEqual(2);
  });

  it("is idempotent: a second run adds nothing and shows no new key", { timeout: 180_000 }, async () => {
    const before = await tableCounts(t);
    const again = await seedDemoData(t.db, { now: NOW });
    expect(again).toEqual({ created: false, members: 50, apiKey: null });
    expect(await tableCounts(t)).toEqual(before);
  });
});

describe("seedDemoData on a database with real members", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  it("refuses and writes nothing", async () => {
    await t.db.insert(members).values({ externalId: "customer-42" });
    await expect(seedDemoData(t.db, { now: NOW })).rejects.toThrow(RealDataError);
    await expect(seedDemoData(t.db, { now: NOW })).rejects.toThrow(/real members \(for example "customer-42"/);
    expect(await tableCounts(t)).toMatchObject({ members: 1, ledger: 0, users: 0, api_keys: 0 });
  });
});

// `npm run dev` seeds the embedded database: the history booked at its occurrence must verify there too.
describe("seedDemoData on a fresh embedded PGlite database", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "seed-pglite-"));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("books the history at its occurrence and ledger verify finds nothing", { timeout: 300_000 }, async () => {
    const handle = connectPglite(path.join(dir, "db"));
    try {
      await migrateDatabase(handle);
      const result = await seedDemoData(handle.db);
      expect(result).toMatchObject({ created: true, members: 50 });
      const booked = await bookings(handle.db);
      expect(booked).toMatchObject({ off: 0, expiries_off: 0, now_rows_off: 0 });
      expect(booked.days).toBeGreaterThan(300);
      const { discrepancies, membersChecked } = await verifyLedger(handle.db);
      expect(membersChecked).toBe(50);
      expect(discrepancies).toEqual([]);
    } finally {
      await handle.close();
    }
  });
});
