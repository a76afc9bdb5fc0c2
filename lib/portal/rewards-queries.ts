import { and, asc, eq, gt, isNull, lte, or } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { rewards } from "@/db/schema";

export interface CatalogReward {
  id: number;
  name: string;
  description: string;
  imageUrl: string | null;
  pointsCost: number;
  /** null = unlimited. */
  stock: number | null;
}

/** Rewards a member can pick now: active, inside their window, cheapest first. */
export async function listCatalogRewards(ex: Executor, now: Date, limit = 50): Promise<CatalogReward[]> {
  return ex
    .select({
      id: rewards.id,
      name: rewards.name,
      description: rewards.description,
      imageUrl: rewards.imageUrl,
      pointsCost: rewards.pointsCost,
      stock: rewards.stock,
    })
    .from(rewards)
    .where(and(eq(rewards.active, true), or(isNull(rewards.startsAt), lte(rewards.startsAt, now)), or(isNull(rewards.endsAt), gt(rewards.endsAt, now))))
    .orderBy(asc(rewards.pointsCost), asc(rewards.id))
    .limit(limit);
}
