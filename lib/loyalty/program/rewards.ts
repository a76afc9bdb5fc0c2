import { desc, eq, lt } from "drizzle-orm";
import { z } from "zod";
import type { Db, Executor } from "@/db/client";
import { addPoolCodes } from "@/db/queries/coupons";
import { rewards, type Reward } from "@/db/schema";
import { writeAudit } from "../audit/audit-log";
import { instantIn, isTimeZone } from "../campaigns/campaign-input";
import { LoyaltyError } from "../errors";
import { MAX_POINTS } from "../accrual/event-input";
import { authorize, type Actor } from "../access/staff-permissions";
import { checkRowId, parseInput } from "../input/parse-input";

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `must be at most ${max} characters`)
    .transform((v) => (v === "" ? null : v))
    .nullish();

const wholeNumber = z
  .union([
    z.number(),
    z
      .string()
      .trim()
      .regex(/^\d{1,12}$/, "must be a whole number"),
  ])
  .transform(Number);

export const rewardInputSchema = z
  .object({
    name: z.string().trim().min(1, "is required").max(120, "must be at most 120 characters"),
    description: z.string().trim().max(2000, "must be at most 2,000 characters").default(""),
    imageUrl: optionalText(500).refine(
      (v) => v == null || /^https?:\/\/[^\s]+$/.test(v) || /^\/[^\s]*$/.test(v),
      "must be an http(s) URL or a path on this site",
    ),
    pointsCost: wholeNumber.pipe(z.number().int().min(1, "must be at least 1").max(MAX_POINTS, "is too large")),
    /** Empty, null or absent = unlimited. */
    stock: z
      .union([z.literal(""), z.null(), wholeNumber.pipe(z.number().int().min(0).max(1_000_000_000))])
      .optional()
      .transform((v) => (v === "" || v === undefined ? null : v)),
    startsAt: optionalText(40),
    endsAt: optionalText(40),
    timeZone: z.string().trim().max(64).refine(isTimeZone, "must be an IANA time zone").default("UTC"),
    kind: z.enum(["item", "coupon"]).default("item"),
    /** Coupons only: generate `<prefix>-<random>` codes when the pool is empty. */
    codePrefix: optionalText(16).refine((v) => v == null || /^[A-Za-z0-9-]+$/.test(v), "must be letters, digits and dashes"),
    active: z
      .union([z.boolean(), z.enum(["on", "true", "false"])])
      .optional()
      .transform((v) => v === undefined || v === true || v === "on" || v === "true"),
  })
  .strict();

export type RewardInput = z.input<typeof rewardInputSchema>;

function resolveRewardWindow(fields: z.output<typeof rewardInputSchema>): { startsAt: Date | null; endsAt: Date | null } {
  const fieldErrors: Record<string, string[]> = {};
  const read = (name: "startsAt" | "endsAt") => {
    const value = fields[name];
    if (!value) return null;
    const instant = instantIn(value, fields.timeZone);
    if (instant instanceof Date) return instant;
    fieldErrors[name] = [instant.error];
    return null;
  };
  const startsAt = read("startsAt");
  const endsAt = read("endsAt");
  if (startsAt && endsAt && endsAt.getTime() <= startsAt.getTime()) fieldErrors.endsAt = ["must be after the start"];
  const first = Object.keys(fieldErrors)[0];
  if (first) throw new LoyaltyError("validation_failed", `${first}: ${fieldErrors[first]![0]}`, { field: first, details: { fieldErrors } });
  return { startsAt, endsAt };
}

/** The columns a create or a full update writes, validated (window included) before any transaction opens. */
function rewardColumnsOf(input: unknown) {
  const fields = parseInput(rewardInputSchema, input);
  return {
    name: fields.name,
    description: fields.description,
    imageUrl: fields.imageUrl ?? null,
    pointsCost: fields.pointsCost,
    stock: fields.stock,
    active: fields.active,
    kind: fields.kind,
    codePrefix: fields.kind === "coupon" ? (fields.codePrefix ?? null) : null,
    ...resolveRewardWindow(fields),
  };
}

function snapshot(r: Reward) {
  return {
    name: r.name,
    pointsCost: r.pointsCost,
    stock: r.stock,
    active: r.active,
    startsAt: r.startsAt?.toISOString() ?? null,
    endsAt: r.endsAt?.toISOString() ?? null,
    imageUrl: r.imageUrl,
    kind: r.kind,
    codePrefix: r.codePrefix,
  };
}

/**
 * Creates a reward, with the first codes of a coupon's pool (`codes`) in the same transaction.
 * A coupon needs codes or a codePrefix, or it could never be redeemed.
 */
export async function createReward(db: Db, input: unknown, ctx: { actor: Actor; now?: Date; codes?: readonly string[] }): Promise<Reward> {
  authorize(ctx.actor, "rewards:write");
  const now = ctx.now ?? new Date();
  const columns = rewardColumnsOf(input);
  const codes = ctx.codes ?? [];
  if (codes.length > 0 && columns.kind !== "coupon") throw new LoyaltyError("validation_failed", "Only a coupon reward takes codes.", { field: "codes" });
  if (columns.kind === "coupon" && codes.length === 0 && !columns.codePrefix) {
    throw new LoyaltyError("validation_failed", "A coupon reward needs codes or a code prefix to generate them.", { field: "codePrefix" });
  }
  return db.transaction(async (tx) => {
    const [reward] = await tx
      .insert(rewards)
      .values({ ...columns, createdAt: now, updatedAt: now })
      .returning();
    const added = await addPoolCodes(tx, reward!.id, codes, now);
    await writeAudit(tx, {
      actor: ctx.actor,
      action: "reward.create",
      targetType: "reward",
      targetId: reward!.id,
      after: { ...snapshot(reward!), ...(codes.length > 0 ? { codesAdded: added } : {}) },
    });
    return reward!;
  });
}

/** Replaces a reward's fields (the form sends them all). The row is locked against a racing redemption's stock update. */
export async function updateReward(db: Db, id: number, input: unknown, ctx: { actor: Actor; now?: Date }): Promise<Reward> {
  authorize(ctx.actor, "rewards:write");
  const now = ctx.now ?? new Date();
  checkRowId(id, "reward_not_found", "reward");
  const columns = rewardColumnsOf(input);
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(rewards).where(eq(rewards.id, id)).for("update");
    if (!before) throw new LoyaltyError("reward_not_found", `No reward ${id}`);
    if (columns.kind !== before.kind) throw new LoyaltyError("validation_failed", "A reward's kind cannot change.", { field: "kind" });
    const [after] = await tx
      .update(rewards)
      .set({ ...columns, updatedAt: now })
      .where(eq(rewards.id, id))
      .returning();
    await writeAudit(tx, {
      actor: ctx.actor,
      action: "reward.update",
      targetType: "reward",
      targetId: id,
      before: snapshot(before),
      after: snapshot(after!),
    });
    return after!;
  });
}

/** Rewards are never deleted (redemptions reference them): retiring one deactivates it. */
export async function setRewardActive(db: Db, id: number, active: boolean, ctx: { actor: Actor; now?: Date }): Promise<Reward> {
  authorize(ctx.actor, "rewards:write");
  checkRowId(id, "reward_not_found", "reward");
  const now = ctx.now ?? new Date();
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(rewards).where(eq(rewards.id, id)).for("update");
    if (!before) throw new LoyaltyError("reward_not_found", `No reward ${id}`);
    const [after] = await tx.update(rewards).set({ active, updatedAt: now }).where(eq(rewards.id, id)).returning();
    await writeAudit(tx, {
      actor: ctx.actor,
      action: active ? "reward.activate" : "reward.deactivate",
      targetType: "reward",
      targetId: id,
      before: snapshot(before),
      after: snapshot(after!),
    });
    return after!;
  });
}

export async function listRewards(
  ex: Executor,
  actor: Actor,
  page: { cursor?: number | null; limit?: number } = {},
): Promise<{ items: Reward[]; nextCursor: number | null }> {
  authorize(actor, "rewards:read");
  const limit = Math.min(page.limit ?? 50, 200);
  const rows = await ex
    .select()
    .from(rewards)
    .where(page.cursor ? lt(rewards.id, page.cursor) : undefined)
    .orderBy(desc(rewards.id))
    .limit(limit + 1);
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.id : null };
}

export async function getReward(ex: Executor, actor: Actor, id: number): Promise<Reward> {
  authorize(actor, "rewards:read");
  const [row] = await ex.select().from(rewards).where(eq(rewards.id, id));
  if (!row) throw new LoyaltyError("reward_not_found", `No reward ${id}`);
  return row;
}
