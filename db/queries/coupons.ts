import { randomBytes } from "node:crypto";
import { desc, eq, sql } from "drizzle-orm";
import { queryRows, type Executor, type Tx } from "@/db/client";
import { rewardCouponCodes, rewards, type Reward } from "@/db/schema";
import { pgArray } from "./pg-array";
import { LoyaltyError } from "@/lib/loyalty/errors";

const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"; // no 0/O, 1/I: read aloud at a till

function generatedCode(prefix: string): string {
  const bytes = randomBytes(10);
  return `${prefix}-${[...bytes].map((b) => ALPHABET[b % ALPHABET.length]).join("")}`;
}

/**
 * Gives one code of a coupon reward to a redemption, in the redemption's transaction: the oldest code
 * of the pool, claimed with FOR UPDATE SKIP LOCKED so concurrent redemptions take different codes
 * without waiting on each other; with the pool empty, a generated one when the reward has a prefix;
 * else out_of_stock (the redemption rolls back).
 */
export async function issueCouponCode(tx: Tx, reward: Pick<Reward, "id" | "codePrefix">, transactionId: number, memberId: number, now: Date): Promise<string> {
  const [claimed] = await queryRows<{ code: string }>(
    tx,
    sql`UPDATE reward_coupon_codes SET transaction_id = ${transactionId}, member_id = ${memberId}, issued_at = ${now.toISOString()}::timestamptz
        WHERE id = (SELECT id FROM reward_coupon_codes WHERE reward_id = ${reward.id} AND transaction_id IS NULL
                    ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING code`,
  );
  if (claimed) return claimed.code;
  if (!reward.codePrefix) throw new LoyaltyError("out_of_stock", "This reward has no coupon codes left.", { field: "rewardId" });
  for (;;) {
    const code = generatedCode(reward.codePrefix);
    const [inserted] = await tx
      .insert(rewardCouponCodes)
      .values({ rewardId: reward.id, code, transactionId, memberId, issuedAt: now, createdAt: now })
      .onConflictDoNothing()
      .returning({ code: rewardCouponCodes.code });
    if (inserted) return inserted.code;
  }
}

export async function couponCodeOf(ex: Executor, transactionId: number): Promise<string | null> {
  const [row] = await ex.select({ code: rewardCouponCodes.code }).from(rewardCouponCodes).where(eq(rewardCouponCodes.transactionId, transactionId)).limit(1);
  return row?.code ?? null;
}

/** Codes still in a reward's pool. */
export async function poolSize(ex: Executor, rewardId: number): Promise<number> {
  return (await poolSizes(ex, [rewardId])).get(rewardId) ?? 0;
}

/** Codes still in each reward's pool, one grouped read over reward_coupon_codes_pool_idx (a page of the catalog). */
export async function poolSizes(ex: Executor, rewardIds: readonly number[]): Promise<Map<number, number>> {
  if (rewardIds.length === 0) return new Map();
  const rows = await queryRows<{ reward_id: string | number; n: number }>(
    ex,
    sql`SELECT reward_id, count(*)::int AS n FROM reward_coupon_codes
        WHERE reward_id = ANY(${pgArray([...new Set(rewardIds)])}::bigint[]) AND transaction_id IS NULL
        GROUP BY reward_id`,
  );
  return new Map(rows.map((r) => [Number(r.reward_id), Number(r.n)]));
}

/** Adds codes to a reward's pool; answers how many were new (a code already in the pool is skipped). */
export async function addPoolCodes(tx: Tx, rewardId: number, codes: readonly string[], now: Date): Promise<number> {
  if (codes.length === 0) return 0;
  const inserted = await tx
    .insert(rewardCouponCodes)
    .values(codes.map((code) => ({ rewardId, code, createdAt: now })))
    .onConflictDoNothing()
    .returning({ id: rewardCouponCodes.id });
  return inserted.length;
}

/** A member's coupon wallet, newest first. */
export async function memberCoupons(ex: Executor, memberId: number, limit = 50) {
  return ex
    .select({ code: rewardCouponCodes.code, issuedAt: rewardCouponCodes.issuedAt, rewardName: rewards.name, transactionId: rewardCouponCodes.transactionId })
    .from(rewardCouponCodes)
    .innerJoin(rewards, eq(rewards.id, rewardCouponCodes.rewardId))
    .where(eq(rewardCouponCodes.memberId, memberId))
    .orderBy(desc(rewardCouponCodes.issuedAt), desc(rewardCouponCodes.id))
    .limit(limit);
}
