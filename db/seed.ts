import { eq, inArray, like, not } from "drizzle-orm";
import type { Db } from "@/db/client";
import { apiKeys, campaigns, members, rewards, userRoles, users } from "@/db/schema";
import { hashPassword } from "@/lib/auth/password";
import { env } from "@/lib/env";
import { recordEvents } from "@/lib/loyalty/accrual/record-events";
import { API_SCOPES, createApiKey } from "@/lib/loyalty/access/api-keys";
import { createCampaign } from "@/lib/loyalty/campaigns/change-campaigns";
import { isLoyaltyError } from "@/lib/loyalty/errors";
import type { LoyaltyEvent } from "@/lib/loyalty/accrual/event-input";
import { expirePoints } from "@/lib/loyalty/jobs/expire-points";
import { queueExpiryReminders } from "@/lib/loyalty/jobs/queue-expiry-reminders";
import { ensureMember } from "@/lib/loyalty/members/ensure-member";
import { redeemPoints } from "@/lib/loyalty/redemption/redeem-points";
import { createReward } from "@/lib/loyalty/program/rewards";
import type { Actor } from "@/lib/loyalty/access/staff-permissions";
import { recalculateTiers } from "@/lib/loyalty/jobs/recalculate-tiers";
import { verifyLedger } from "@/lib/loyalty/jobs/verify-ledger";
import { DEMO_ACCOUNTS, DEMO_MEMBER_PREFIX, DEMO_PASSWORD } from "./seed-data/demo-accounts";
import { demoHistory } from "./seed-data/demo-history";
import { demoMembers } from "./seed-data/demo-members";
import { DEMO_CAMPAIGNS, DEMO_REWARDS } from "./seed-data/demo-catalog";

export const DEMO_API_KEY_NAME = "demo";
const SEED_ACTOR: Actor = { kind: "system", name: "seed" };
const LEDGER = { actor: "job:seed" };

export class RealDataError extends Error {
  constructor(externalId: string) {
    super(
      `This database holds real members (for example "${externalId}", not a ${DEMO_MEMBER_PREFIX}… demo member): ` +
        `refusing to add demo accounts and data to it.`,
    );
    this.name = "RealDataError";
  }
}

/** Demo accounts share a published password: a production process never creates them. */
export class DemoInProductionError extends Error {
  constructor() {
    super("NODE_ENV is production: refusing to add demo accounts, demo data or a demo API key.");
    this.name = "DemoInProductionError";
  }
}

export interface SeedResult {
  /** false when the demo data was there already (a re-run changes nothing). */
  created: boolean;
  members: number;
  /** The demo API key in clear, only when it was created by this run. */
  apiKey: string | null;
}

/** True when the database has no member at all: start-up seeds only then. */
export async function isEmptyDatabase(db: Db): Promise<boolean> {
  return (await db.select({ id: members.id }).from(members).limit(1)).length === 0;
}

/** True when the demo sign-ins exist (so start-up can list them). */
export async function hasDemoAccounts(db: Db): Promise<boolean> {
  return (await db.select({ id: users.id }).from(users).where(eq(users.email, DEMO_ACCOUNTS[0]!.email)).limit(1)).length > 0;
}

/**
 * Demo accounts and data, written through the ledger services so every balance is exact. Idempotent:
 * every event and redemption has a fixed reference, catalog rows are found by name, the API key by
 * its name. Refuses a database that has any member outside the demo set, and any NODE_ENV=production.
 */
export async function seedDemoData(db: Db, options: { now?: Date; log?: (line: string) => void } = {}): Promise<SeedResult> {
  if (env().NODE_ENV === "production") throw new DemoInProductionError();
  const now = options.now ?? new Date();
  const log = options.log ?? (() => {});
  const [real] = await db
    .select({ externalId: members.externalId })
    .from(members)
    .where(not(like(members.externalId, `${DEMO_MEMBER_PREFIX}%`)))
    .limit(1);
  if (real) throw new RealDataError(real.externalId);

  const roster = demoMembers();
  const existing = await db.$count(members);
  log(`Members: ${roster.length} demo members`);
  for (const m of roster) await ensureMember(db, { externalId: m.externalId, email: m.email, name: m.name });
  await seedUsers(db);

  log("Ledger: 14 months of purchases, referrals, reviews, logins and refunds");
  // The history is booked when it happened (created_at = occurred_at, expiries at their lots'
  // expiry), as a programme that ran for 14 months would have it: the reports' per-day flows and
  // the liability at past dates read from created_at. In occurrence order, refunds among the rest.
  const history = demoHistory(roster, now);
  const past = [...history.earnings, ...history.refunds].sort((a, b) => (a.occurredAt! < b.occurredAt! ? -1 : a.occurredAt! > b.occurredAt! ? 1 : 0));
  await record(db, past, now, { bookAtOccurrence: true });
  await expirePoints(db, { now, bookAtOccurrence: true });

  log("Campaigns and rewards");
  await seedCatalog(db, now);
  await record(db, history.campaignPurchases, now);
  await seedRedemptions(
    db,
    roster.map((m) => m.externalId),
    now,
  );

  await recalculateTiers(db, { now });
  await queueExpiryReminders(db, { now, mailer: null });

  const hasKey = (await db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.name, DEMO_API_KEY_NAME)).limit(1)).length > 0;
  const apiKey = hasKey ? null : (await createApiKey(db, { name: DEMO_API_KEY_NAME, scopes: API_SCOPES }, { actor: SEED_ACTOR })).key;

  const { discrepancies } = await verifyLedger(db);
  if (discrepancies.length > 0) throw new Error(`Demo ledger does not reconcile: ${JSON.stringify(discrepancies.slice(0, 3))}`);
  return { created: existing === 0, members: roster.length, apiKey };
}

async function record(db: Db, events: readonly LoyaltyEvent[], now: Date, options: { bookAtOccurrence?: boolean } = {}): Promise<void> {
  for (let i = 0; i < events.length; i += 500) {
    const outcomes = await recordEvents(db, events.slice(i, i + 500), { ...LEDGER, now, ...options });
    const failed = outcomes.findIndex((o) => !o.ok);
    if (failed >= 0) {
      const outcome = outcomes[failed]!;
      throw new Error(`Demo event ${events[i + failed]!.referenceId} was refused: ${JSON.stringify(!outcome.ok && outcome.error)}`);
    }
  }
}

async function seedUsers(db: Db): Promise<void> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  for (const account of DEMO_ACCOUNTS) {
    let memberId: number | null = null;
    if (account.memberExternalId) {
      const [m] = await db.select({ id: members.id }).from(members).where(eq(members.externalId, account.memberExternalId));
      memberId = m!.id;
    }
    await db.transaction(async (tx) => {
      await tx
        .insert(users)
        .values({ email: account.email, name: account.name, passwordHash, memberId, emailVerified: new Date() })
        .onConflictDoNothing({ target: users.email });
      const [user] = await tx.select({ id: users.id }).from(users).where(eq(users.email, account.email));
      await tx
        .insert(userRoles)
        .values(account.roles.map((role) => ({ userId: user!.id, role })))
        .onConflictDoNothing();
    });
  }
}

async function seedCatalog(db: Db, now: Date): Promise<void> {
  const names = [...DEMO_CAMPAIGNS.map((c) => c.name)];
  const have = new Set((await db.select({ name: campaigns.name }).from(campaigns).where(inArray(campaigns.name, names))).map((c) => c.name));
  for (const campaign of DEMO_CAMPAIGNS) {
    if (have.has(campaign.name)) continue;
    const startsAt = new Date(now.getTime() + campaign.startsInDays * 86_400_000);
    const endsAt = new Date(startsAt.getTime() + campaign.lastsDays * 86_400_000);
    await createCampaign(
      db,
      {
        name: campaign.name,
        multiplier: campaign.multiplier,
        startsAt: startsAt.toISOString(),
        endsAt: endsAt.toISOString(),
        timeZone: "UTC",
        eventTypes: campaign.eventTypes,
      },
      { actor: SEED_ACTOR, now },
    );
  }
  for (const reward of DEMO_REWARDS) {
    const [found] = await db.select({ id: rewards.id }).from(rewards).where(eq(rewards.name, reward.name)).limit(1);
    if (!found) await createReward(db, reward, { actor: SEED_ACTOR, now });
  }
}

/** A few members spend points (fixed references, so a re-run replays them): some on points, one on a reward. */
async function seedRedemptions(db: Db, externalIds: readonly string[], now: Date): Promise<void> {
  const showcase = DEMO_ACCOUNTS.find((a) => a.memberExternalId)!.memberExternalId!;
  const [reward] = await db.select({ id: rewards.id }).from(rewards).where(eq(rewards.name, DEMO_REWARDS[0]!.name));
  const redeem = async (input: Parameters<typeof redeemPoints>[1]) => {
    try {
      await redeemPoints(db, input, { ...LEDGER, now });
    } catch (error) {
      if (!(isLoyaltyError(error) && error.code === "insufficient_points")) throw error;
    }
  };
  for (const [index, externalId] of externalIds.entries()) {
    if (externalId === showcase) {
      await redeem({ memberExternalId: externalId, points: 200, referenceId: `${externalId}-redeem-1` });
      if (reward) await redeem({ memberExternalId: externalId, rewardId: reward.id, referenceId: `${externalId}-reward-1` });
    } else if (index % 6 === 0) {
      await redeem({ memberExternalId: externalId, points: 100, referenceId: `${externalId}-redeem-1` });
    }
  }
}
