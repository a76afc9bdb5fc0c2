import { and, eq, isNotNull, sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { rewards, type PointTransaction } from "@/db/schema";

/**
 * A reversed reward redemption puts the reward's item back in stock, in the reversal's transaction
 * (a redemption took it with a conditional UPDATE in its own). Unlimited stock (null) stays null.
 */
export async function restockReversedReward(tx: Tx, redemption: PointTransaction, now: Date): Promise<void> {
  if (redemption.type !== "redeem" || redemption.rewardId === null) return;
  await tx
    .update(rewards)
    .set({ stock: sql`${rewards.stock} + 1`, updatedAt: now })
    .where(and(eq(rewards.id, redemption.rewardId), isNotNull(rewards.stock)));
}
