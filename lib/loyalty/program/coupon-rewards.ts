import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db, Executor } from "@/db/client";
import { addPoolCodes, poolSize, poolSizes } from "@/db/queries/coupons";
import { rewards, type Reward } from "@/db/schema";
import { writeAudit } from "../audit/audit-log";
import { LoyaltyError } from "../errors";
import { getReward, updateReward } from "./rewards";
import { authorize, type Actor } from "../access/staff-permissions";
import { checkRowId } from "../input/parse-input";

export const MAX_CODES_PER_UPLOAD = 10_000;
/** Below this many codes left, the console warns that the pool runs low. */
export const LOW_POOL = 10;

export const couponCodeSchema = z.string().regex(/^[\x21-\x7e]{1,64}$/, "must be 1 to 64 printable characters without spaces");
export const couponCodesSchema = z
  .array(couponCodeSchema)
  .min(1)
  .max(MAX_CODES_PER_UPLOAD, `at most ${MAX_CODES_PER_UPLOAD.toLocaleString("en")} codes at a time`);

/**
 * The codes of an uploaded CSV or pasted list: one per line (the first column when a line has
 * commas), a header line "code" skipped, blanks and repeats dropped. A bad code names its line.
 */
export function parseCodeList(text: string): string[] {
  const codes = new Set<string>();
  const lines = text.split(/\r?\n/);
  lines.forEach((line, index) => {
    const code = line
      .split(",")[0]!
      .trim()
      .replace(/^"(.*)"$/, "$1");
    if (code === "" || (index === 0 && code.toLowerCase() === "code")) return;
    if (!couponCodeSchema.safeParse(code).success) {
      throw new LoyaltyError("validation_failed", `Line ${index + 1}: a code must be 1 to 64 printable characters without spaces.`, { field: "codes" });
    }
    codes.add(code);
  });
  if (codes.size > MAX_CODES_PER_UPLOAD) throw new LoyaltyError("validation_failed", `At most ${MAX_CODES_PER_UPLOAD} codes at a time.`, { field: "codes" });
  return [...codes];
}

/** Adds codes to a coupon reward's pool, audited; codes already in it are skipped. */
export async function addCouponCodes(db: Db, actor: Actor, rewardId: number, codes: readonly string[], now = new Date()) {
  authorize(actor, "rewards:write");
  checkRowId(rewardId, "reward_not_found", "reward");
  const parsed = couponCodesSchema.safeParse(codes);
  if (!parsed.success) throw new LoyaltyError("validation_failed", `codes ${parsed.error.issues[0]!.message}`, { field: "codes" });
  return db.transaction(async (tx) => {
    const [reward] = await tx.select().from(rewards).where(eq(rewards.id, rewardId)).for("update");
    if (!reward) throw new LoyaltyError("reward_not_found", `No reward ${rewardId}`);
    if (reward.kind !== "coupon") throw new LoyaltyError("validation_failed", "Only a coupon reward takes codes.", { field: "codes" });
    const added = await addPoolCodes(tx, rewardId, parsed.data, now);
    const left = await poolSize(tx, rewardId);
    await writeAudit(tx, {
      actor,
      action: "reward.codes_add",
      targetType: "reward",
      targetId: rewardId,
      after: { added, skipped: parsed.data.length - added, poolSize: left },
    });
    return { added, skipped: parsed.data.length - added, poolSize: left };
  });
}

/** A reward as the catalog API and the console show it. */
export interface CatalogReward {
  id: number;
  name: string;
  description: string;
  pointsCost: number;
  kind: "item" | "coupon";
  stock: number | null;
  active: boolean;
  startsAt: string | null;
  endsAt: string | null;
  /** Coupons: codes left in the pool (generated codes when it is empty and codePrefix is set). */
  poolSize: number | null;
  codePrefix: string | null;
}

export async function catalogReward(ex: Executor, reward: Reward): Promise<CatalogReward> {
  return (await catalogRewards(ex, [reward]))[0]!;
}

/** A page of the catalog, the coupons' pool sizes read in one query. */
export async function catalogRewards(ex: Executor, list: readonly Reward[]): Promise<CatalogReward[]> {
  const pools = await poolSizes(
    ex,
    list.filter((r) => r.kind === "coupon").map((r) => r.id),
  );
  return list.map((reward) => ({
    id: reward.id,
    name: reward.name,
    description: reward.description,
    pointsCost: reward.pointsCost,
    kind: reward.kind,
    stock: reward.stock,
    active: reward.active,
    startsAt: reward.startsAt?.toISOString() ?? null,
    endsAt: reward.endsAt?.toISOString() ?? null,
    poolSize: reward.kind === "coupon" ? (pools.get(reward.id) ?? 0) : null,
    codePrefix: reward.codePrefix,
  }));
}

/** A partial change from the catalog API: the fields given replace the reward's, then codes are added. */
export async function patchReward(
  db: Db,
  actor: Actor,
  id: number,
  change: Record<string, unknown>,
  codes: readonly string[],
  now = new Date(),
): Promise<Reward> {
  const current = await getReward(db, actor, id);
  const merged = {
    name: current.name,
    description: current.description,
    imageUrl: current.imageUrl,
    pointsCost: current.pointsCost,
    stock: current.stock,
    startsAt: current.startsAt?.toISOString().slice(0, 16) ?? null,
    endsAt: current.endsAt?.toISOString().slice(0, 16) ?? null,
    timeZone: "UTC",
    active: current.active,
    kind: current.kind,
    codePrefix: current.codePrefix,
    ...change,
  };
  if (merged.kind !== current.kind) throw new LoyaltyError("validation_failed", "A reward's kind cannot change.", { field: "kind" });
  const updated = await updateReward(db, id, merged, { actor, now });
  // A coupon with neither codes nor a prefix is allowed (codes may come later); it answers out_of_stock meanwhile.
  if (codes.length > 0) await addCouponCodes(db, actor, id, codes, now);
  return updated;
}
