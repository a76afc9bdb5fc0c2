/**
 * The system under test: the real services of lib/loyalty on the real PostgreSQL, driven with the
 * model's clock (LedgerContext.now, job options), and its answers normalised to the model's shapes.
 */
import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { queryRows } from "@/db/client";
import { recordEvents } from "@/lib/loyalty/accrual/record-events";
import { adjustPoints, reverseTransaction } from "@/lib/loyalty/adjustments/adjust-points";
import { createCampaign, pauseCampaign } from "@/lib/loyalty/campaigns/change-campaigns";
import { isLoyaltyError } from "@/lib/loyalty/errors";
import type { LoyaltyEvent } from "@/lib/loyalty/accrual/event-input";
import { expirePoints } from "@/lib/loyalty/jobs/expire-points";
import { ensureMember } from "@/lib/loyalty/members/ensure-member";
import { redeemPoints } from "@/lib/loyalty/redemption/redeem-points";
import { addCouponCodes } from "@/lib/loyalty/program/coupon-rewards";
import { captureHold, createHold, voidHold } from "@/lib/loyalty/redemption/hold-points";
import { createReward } from "@/lib/loyalty/program/rewards";
import { transferPoints } from "@/lib/loyalty/transfers/transfer-points";
import { vestPoints } from "@/lib/loyalty/jobs/vest-points";
import { recalculateTiers } from "@/lib/loyalty/jobs/recalculate-tiers";
import { updateTierSettings } from "@/lib/loyalty/program/tier-settings";
import { changeProgramSettings } from "@/lib/loyalty/program/change-program-settings";
import type { Actor } from "@/lib/loyalty/access/staff-permissions";
import type { Op } from "./ops";
import { DAY, iso } from "./model-time";
import { createEarningWorld } from "./earning-world";
import { CAMPAIGNS, MEMBERS, MODEL_CONFIG, REWARDS, START, TIER_BONUS, TRANSFER_LIMITS } from "./scenario";

const staff: Actor = { kind: "user", id: "model-staff", roles: ["admin"] };
export const ACTOR = "test:model";

/** Ids the system gave the scenario's members, campaigns and rewards, and the other way round. */
export interface World {
  memberIds: Map<string, number>;
  memberNames: Map<number, string>;
  campaignIds: number[];
  campaignIndex: Map<number, number>;
  rewardIds: number[];
  rewardIndex: Map<number, number>;
}

/** What every sequence shares: the campaigns and rewards. */
export type Fixtures = Omit<World, "memberIds" | "memberNames">;

/**
 * Once per database: the tier bonuses, campaigns and rewards (resetData keeps them). Returns the ids
 * of the campaigns and rewards; the members come with each sequence (startWorld).
 */
export async function prepareDatabase(db: Db, start = START): Promise<Fixtures> {
  const now = new Date(start);
  const tiers = MODEL_CONFIG.tiers.map((t) => ({ code: t.code, minSpend12m: t.minSpend12m, earnMultiplier: TIER_BONUS[t.code] }));
  await updateTierSettings(db, staff, { tiers }, { now });
  await changeProgramSettings(db, staff, { tierGraceDays: MODEL_CONFIG.tierGraceDays ?? 0 });
  const campaignIds: number[] = [];
  for (const c of CAMPAIGNS) {
    const created = await createCampaign(
      db,
      {
        name: c.name,
        multiplier: c.multiplier,
        startsAt: iso(start + c.fromDay * DAY),
        endsAt: iso(start + c.toDay * DAY),
        eventTypes: c.eventTypes,
        tiers: c.tiers,
        categories: c.categories ?? [],
        channels: c.channels ?? [],
      },
      { actor: staff, now },
    );
    if (c.paused) await pauseCampaign(db, created.id, { actor: staff, now });
    campaignIds.push(created.id);
  }
  await createEarningWorld(db, staff, start);
  const rewardIds = await createModelRewards(db, now);
  await changeProgramSettings(db, staff, TRANSFER_LIMITS);
  return {
    campaignIds,
    campaignIndex: new Map(campaignIds.map((id, i) => [id, i])),
    rewardIds,
    rewardIndex: new Map(rewardIds.map((id, i) => [id, i])),
  };
}

/** The scenario's rewards (REWARDS), their names prefixed (a database shared with other tests tells them apart). */
export async function createModelRewards(db: Db, now: Date, namePrefix = ""): Promise<number[]> {
  const ids: number[] = [];
  for (const { codes, codePrefix, ...r } of REWARDS) {
    const input = { ...r, name: `${namePrefix}${r.name}`, ...(r.kind === "coupon" ? { codePrefix } : {}) };
    ids.push((await createReward(db, input, { actor: staff, now, codes })).id);
  }
  return ids;
}

/**
 * Puts the rewards as a sequence starts: the stock back, and each coupon's pool emptied of the codes
 * no redemption took and filled again with the scenario's codes under the sequence's namespace.
 */
export async function resetRewards(db: Db, rewardIds: readonly number[], ns = ""): Promise<void> {
  for (const [i, r] of REWARDS.entries()) {
    await db.execute(sql`UPDATE rewards SET stock = ${r.stock} WHERE id = ${rewardIds[i]!}`);
    if (r.kind !== "coupon") continue;
    await db.execute(sql`DELETE FROM reward_coupon_codes WHERE reward_id = ${rewardIds[i]!} AND transaction_id IS NULL`);
    if (r.codes.length > 0)
      await addCouponCodes(
        db,
        staff,
        rewardIds[i]!,
        r.codes.map((c) => `${ns}${c}`),
      );
  }
}

const KEPT = ["program_settings", "tiers", "campaigns", "rewards", "earning_rules", "earning_caps"];

/**
 * Empties everything a sequence writes (members and their ledger included) and puts the rewards'
 * stock back, so each sequence starts from the same world and the jobs' summaries (which count the
 * whole database) can be compared. Test databases only: the ledger's append-only triggers are
 * bypassed with session_replication_role, which needs a superuser.
 */
export async function resetData(db: Db, fixtures: Fixtures): Promise<void> {
  await db.transaction(async (tx) => {
    const tables = await queryRows<{ tablename: string }>(tx, sql`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`);
    await tx.execute(sql`SET LOCAL session_replication_role = replica`);
    for (const { tablename } of tables) if (!KEPT.includes(tablename)) await tx.execute(sql.raw(`DELETE FROM "${tablename}"`));
    await tx.execute(sql`UPDATE program_settings SET pending_days = 0 WHERE id = 1`);
  });
  await resetRewards(db, fixtures.rewardIds);
}

/** A sequence's world: the fixtures and three new members. */
export async function startWorld(db: Db, fixtures: Fixtures): Promise<World> {
  await resetData(db, fixtures);
  const memberIds = new Map<string, number>();
  for (const name of MEMBERS) memberIds.set(name, (await ensureMember(db, { externalId: name })).member.id);
  return { ...fixtures, memberIds, memberNames: new Map([...memberIds].map(([n, id]) => [id, n])) };
}

/** What the system answered, before its ids are translated into the model's keys (normalize.ts). */
export type RawAnswer =
  | { kind: "events"; outcomes: Awaited<ReturnType<typeof recordEvents>> }
  | { kind: "balance"; result: { transactionId: number; points: number; availablePoints: number; duplicate: boolean; couponCode?: string } }
  | { kind: "reverse"; result: { transactionId: number; reversedTransactionId: number; points: number; availablePoints: number; duplicate: boolean } }
  | { kind: "refused"; as: "balance" | "reverse" | "hold" | "transfer"; code: string; field?: string }
  | {
      kind: "hold";
      result: Awaited<ReturnType<typeof createHold>> &
        Partial<Pick<Awaited<ReturnType<typeof captureHold>>, "transactionId" | "capturedPoints" | "releasedPoints">>;
    }
  | { kind: "transfer"; result: Awaited<ReturnType<typeof transferPoints>> }
  | { kind: "vest"; lotsVested: number; pointsVested: number; membersAffected: number }
  | { kind: "pending" }
  | { kind: "expire"; lotsExpired: number; pointsExpired: number; membersAffected: number }
  | { kind: "tiers"; upgraded: number; downgraded: number }
  | { kind: "advance" };

/** Reversal targets name a row key, captures and voids a hold key; the snapshot before the step gives the system's id for it. */
export async function applyToSystem(db: Db, world: World, op: Op, now: number, idOf: (key: string) => number | undefined): Promise<RawAnswer> {
  const ctx = { actor: ACTOR, now: new Date(now) };
  const refused =
    (as: "balance" | "reverse" | "hold" | "transfer") =>
    (error: unknown): RawAnswer => {
      if (!isLoyaltyError(error)) throw error;
      return { kind: "refused", as, code: error.code, ...(error.field ? { field: error.field } : {}) };
    };
  switch (op.kind) {
    case "events": {
      const events = op.events.map((e): LoyaltyEvent => ({
        type: e.type,
        memberExternalId: e.member,
        referenceId: e.ref,
        ...(e.amountCents !== undefined ? { amountCents: e.amountCents } : {}),
        ...(e.originalRef !== undefined ? { originalReferenceId: e.originalRef } : {}),
        ...(e.occurredAt !== undefined ? { occurredAt: e.occurredAt } : {}),
        ...(e.items !== undefined ? { items: e.items } : {}),
        ...(e.channel !== undefined ? { channel: e.channel } : {}),
      }));
      return { kind: "events", outcomes: await recordEvents(db, events, ctx) };
    }
    case "redeem": {
      const rewardId = op.reward === undefined ? undefined : (world.rewardIds[op.reward] ?? 9_000_000 + op.reward);
      return redeemPoints(
        db,
        {
          memberExternalId: op.member,
          referenceId: op.ref,
          ...(op.points !== undefined ? { points: op.points } : {}),
          ...(rewardId !== undefined ? { rewardId } : {}),
        },
        ctx,
      ).then((result): RawAnswer => ({ kind: "balance", result }), refused("balance"));
    }
    case "adjust": {
      const memberId = world.memberIds.get(op.member) ?? 9_000_000;
      return adjustPoints(db, { memberId, points: op.points, reason: op.reason, referenceId: op.ref, allowNegativeBalance: op.allowNegativeBalance }, ctx).then(
        (result): RawAnswer => ({ kind: "balance", result }),
        refused("balance"),
      );
    }
    case "reverse": {
      const transactionId = (op.target === null ? undefined : idOf(op.target)) ?? 9_000_000_000;
      return reverseTransaction(db, { transactionId, reason: op.reason, ...(op.callerRef !== undefined ? { referenceId: op.callerRef } : {}) }, ctx).then(
        (result): RawAnswer => ({ kind: "reverse", result }),
        refused("reverse"),
      );
    }
    case "expire":
      return { kind: "expire", ...(await expirePoints(db, { now: new Date(now), batchSize: 3 })) };
    case "tiers": {
      const r = await recalculateTiers(db, { now: new Date(now), batchSize: 2 });
      return { kind: "tiers", upgraded: r.upgraded, downgraded: r.downgraded };
    }
    case "advance":
      return { kind: "advance" };
    case "hold":
      return createHold(
        db,
        { memberExternalId: op.member, points: op.points, referenceId: op.ref, ...(op.ttlSeconds !== undefined ? { ttlSeconds: op.ttlSeconds } : {}) },
        ctx,
      ).then((result): RawAnswer => ({ kind: "hold", result }), refused("hold"));
    case "capture": {
      const holdId = (op.hold === null ? undefined : idOf(op.hold)) ?? 9_000_000_000;
      return captureHold(db, { holdId, referenceId: op.ref, ...(op.points !== undefined ? { points: op.points } : {}) }, ctx).then(
        (result): RawAnswer => ({ kind: "hold", result }),
        refused("hold"),
      );
    }
    case "void": {
      const holdId = (op.hold === null ? undefined : idOf(op.hold)) ?? 9_000_000_000;
      return voidHold(db, { holdId }, ctx).then((result): RawAnswer => ({ kind: "hold", result }), refused("hold"));
    }
    case "transfer":
      return transferPoints(db, { fromMemberExternalId: op.from, toMemberExternalId: op.to, points: op.points, referenceId: op.ref }, ctx).then(
        (result): RawAnswer => ({ kind: "transfer", result }),
        refused("transfer"),
      );
    case "vest":
      return { kind: "vest", ...(await vestPoints(db, { now: new Date(now), batchSize: 2 })) };
    case "pending":
      await changeProgramSettings(db, staff, { pendingDays: op.days });
      return { kind: "pending" };
  }
}
