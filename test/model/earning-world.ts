/**
 * The scenario's earning rules and caps on the database side: created through the real services
 * (prepareDatabase), and read back into the model's configuration (the HTTP harness, which takes
 * its world from the database it runs against).
 */
import { asc, isNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { earningCaps, earningRules } from "@/db/schema";
import { createEarningCap, createEarningRule } from "@/lib/loyalty/program/earning-rules";
import type { Actor } from "@/lib/loyalty/access/staff-permissions";
import type { ModelCap, ModelEarningRule } from "./earning-model";
import { DAY, iso } from "./model-time";
import { EARNING_CAPS, EARNING_RULES } from "./scenario";

export async function createEarningWorld(db: Db, staff: Actor, start: number): Promise<void> {
  const ctx = { actor: staff, now: new Date(start) };
  for (const r of EARNING_RULES) {
    await createEarningRule(
      db,
      {
        name: r.name,
        skus: r.skus ?? [],
        categories: r.categories ?? [],
        channels: r.channels ?? [],
        ...(r.minSpendCents !== undefined ? { minSpendCents: r.minSpendCents } : {}),
        ...(r.rate !== undefined ? { pointsPerCurrencyUnit: r.rate } : {}),
        ...(r.bonus !== undefined ? { bonusPoints: r.bonus } : {}),
        startsAt: iso(start + r.fromDay * DAY),
        ...(r.toDay !== undefined ? { endsAt: iso(start + r.toDay * DAY) } : {}),
      },
      ctx,
    );
  }
  for (const c of EARNING_CAPS) {
    await createEarningCap(
      db,
      {
        name: c.name,
        ...(c.eventType ? { eventType: c.eventType } : {}),
        ...(c.maxAwards !== undefined ? { maxAwardsPerMember: c.maxAwards } : { maxPoints: c.maxPoints }),
        period: c.period,
        startsAt: iso(start + c.fromDay * DAY),
      },
      ctx,
    );
  }
}

/** The rules and caps not retired, oldest first, as the model reads them. */
export async function readEarningConfig(db: Db): Promise<{ earningRules: ModelEarningRule[]; caps: ModelCap[] }> {
  const [rules, caps] = await Promise.all([
    db.select().from(earningRules).where(isNull(earningRules.retiredAt)).orderBy(asc(earningRules.id)),
    db.select().from(earningCaps).where(isNull(earningCaps.retiredAt)).orderBy(asc(earningCaps.id)),
  ]);
  return {
    earningRules: rules.map((r) => ({
      skus: r.skus,
      categories: r.categories,
      channels: r.channels,
      minSpendCents: r.minSpendCents,
      rate: r.pointsPerCurrencyUnit,
      bonus: r.bonusPoints,
      startsAt: r.startsAt.getTime(),
      endsAt: r.endsAt?.getTime() ?? null,
    })),
    caps: caps.map((c) => ({
      eventType: c.eventType,
      maxAwards: c.maxAwardsPerMember,
      maxPoints: c.maxPoints,
      period: c.period,
      startsAt: c.startsAt.getTime(),
    })),
  };
}
