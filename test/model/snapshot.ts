/**
 * One view of everything that can be compared, built from the model's state or read from the
 * system's database: per member the summary (tier, available points, totals, 12-month spend, points
 * expiring soon), the raw balance and the check-ins; every ledger row by key with its amount, spend,
 * relation, multiplier, campaign, reward, instant and lot (expiry, remaining, vesting); every
 * allocation; the rewards' stock; every hold (member, points, expiry, status, capture); the vesting
 * job's record; each coupon pool's size and the code each redemption got.
 */
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { getBalance } from "@/db/queries/balances";
import { getMemberSummary } from "@/lib/loyalty/members/ensure-member";
import { memberSummary } from "./ledger-model";
import { holdState } from "./checkout-model";
import type { ModelState, Row } from "./model-state";
import { iso } from "./model-time";
import { MEMBERS } from "./scenario";
import type { World } from "./system";

export interface RowView {
  member: string;
  type: string;
  amount: number;
  spend: number | null;
  related: string | null;
  /** Earn and refund rows only: what the answers report. */
  multiplierTt?: number;
  campaign?: number | null;
  reward: number | null;
  /** Not for expire rows (the document does not say which instant they carry). */
  occurredAt?: string;
  expiresAt: string | null;
  remaining: number | null;
  vestsAt: string | null;
}

export interface HoldView {
  member: string;
  points: number;
  expiresAt: string;
  /** active (live), expired (active past its expiry), captured, voided. */
  state: string;
  capture: string | null;
}

export interface MemberView {
  tier: string;
  balance: number;
  availablePoints: number;
  heldPoints: number;
  pendingPoints: number;
  totalEarned: number;
  totalRedeemed: number;
  tierSpend12m: number;
  expiringSoon: string[];
  checkIns: string[];
  /** The member's rows in the order of their ids: it breaks FIFO ties, and a serial order must explain it. */
  order: string[];
}

export interface Snapshot {
  members: Record<string, MemberView>;
  rows: Record<string, RowView>;
  allocations: string[];
  stock: (number | null)[];
  holds: Record<string, HoldView>;
  /** "lotKey|points" per lot the vesting job recorded. */
  vestings: string[];
  /** Codes left in each reward's pool (0 for items). */
  pools: number[];
  /** "redemptionKey|code" per code given, generated ones as `<prefix>-*`. */
  coupons: string[];
}

/** What the system knows as ids, for translating answers and naming reversal, capture and void targets. */
export interface Ids {
  keyOf: Map<number, string>;
  idOf: Map<string, number>;
  holdKeyOf: Map<number, string>;
  holdIdOf: Map<string, number>;
}

/** A generated coupon code (`<prefix>-` and 10 characters of lib's alphabet) as the model writes it, `<prefix>-*`. */
export const comparableCode = (code: string) => code.replace(/^(.+)-[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{10}$/, "$1-*");

function rowView(
  r: Omit<RowView, "multiplierTt" | "campaign" | "occurredAt"> & { key: string; multiplierTt: number; campaign: number | null; occurredAt: string },
): RowView {
  return { ...baseRowView(r), vestsAt: r.vestsAt };
}

function baseRowView(
  r: Omit<RowView, "multiplierTt" | "campaign" | "occurredAt" | "vestsAt"> & { key: string; multiplierTt: number; campaign: number | null; occurredAt: string },
) {
  const answersMultiplier = r.type === "earn" || r.key.startsWith("refund:");
  return {
    member: r.member,
    type: r.type,
    amount: r.amount,
    spend: r.spend,
    related: r.related,
    ...(answersMultiplier ? { multiplierTt: r.multiplierTt, campaign: r.campaign } : {}),
    reward: r.reward,
    ...(r.type === "expire" ? {} : { occurredAt: r.occurredAt }),
    expiresAt: r.expiresAt,
    remaining: r.remaining,
  };
}

export function modelSnapshot(state: ModelState): Snapshot {
  const members: Record<string, MemberView> = {};
  for (const name of state.members.keys()) {
    const s = memberSummary(state, name);
    members[name] = {
      ...s,
      expiringSoon: s.expiringSoon.map((e) => `${e.points}@${iso(e.expiresAt)}`),
      checkIns: [...state.members.get(name)!.checkIns].map(([day, c]) => `${day}:${c.streak}:${c.row}`).sort(),
      order: state.rows.filter((r) => r.member === name).map((r) => r.key),
    };
  }
  const rows: Record<string, RowView> = {};
  for (const r of state.rows) rows[r.key] = rowView(fromModelRow(r));
  const holds: Record<string, HoldView> = {};
  for (const h of state.holds)
    holds[h.key] = { member: h.member, points: h.points, expiresAt: iso(h.expiresAt), state: holdState(h, state.now), capture: h.capture };
  return {
    members,
    rows,
    allocations: state.allocations.map((a) => `${a.debit}|${a.lot}|${a.points}`).sort(),
    stock: [...state.stock],
    holds,
    vestings: [...state.vestings].map(([lot, points]) => `${lot}|${points}`).sort(),
    pools: state.pools.map((p) => p.length),
    coupons: [...state.coupons].map(([redemption, code]) => `${redemption}|${code}`).sort(),
  };
}

const fromModelRow = (r: Row) => ({
  ...r,
  occurredAt: iso(r.occurredAt),
  expiresAt: r.expiresAt === null ? null : iso(r.expiresAt),
  vestsAt: r.vestsAt == null ? null : iso(r.vestsAt),
});

const num = (v: string | number | null) => (v === null ? null : Number(v));
const instant = (v: string | Date) => new Date(v).toISOString();

export async function systemSnapshot(db: Db, world: World, now: number): Promise<{ snapshot: Snapshot; ids: Ids }> {
  type TxRow = Record<
    "id" | "member_id" | "amount" | "multiplier" | "campaign_id" | "reward_id" | "spend_amount" | "related_transaction_id" | "remaining",
    string | number | null
  > & {
    type: string;
    reference_type: string;
    reference_id: string;
    occurred_at: string | Date;
    expires_at: string | Date | null;
    vests_at: string | Date | null;
  };
  type HoldRow = {
    id: string | number;
    member_id: string | number;
    reference_id: string;
    points: number;
    expires_at: string | Date;
    status: string;
    capture_transaction_id: string | number | null;
  };
  const [txRows, allocations, checkIns, stock, holdRows, vestingRows, codeRows, ...perMember] = await Promise.all([
    queryRows<TxRow>(
      db,
      sql`SELECT id, member_id, type, amount, reference_type, reference_id, multiplier, campaign_id, reward_id, spend_amount,
                 related_transaction_id, occurred_at, expires_at, remaining, vests_at FROM point_transactions ORDER BY id`,
    ),
    queryRows<{ transaction_id: string | number; lot_id: string | number; points: string | number }>(
      db,
      sql`SELECT transaction_id, lot_id, points FROM lot_allocations`,
    ),
    queryRows<{ member_id: string | number; day: string; streak: number; transaction_id: string | number | null }>(
      db,
      sql`SELECT member_id, to_char(day, 'YYYY-MM-DD') AS day, streak, transaction_id FROM login_check_ins`,
    ),
    queryRows<{ id: string | number; stock: number | null }>(db, sql`SELECT id, stock FROM rewards`),
    queryRows<HoldRow>(db, sql`SELECT id, member_id, reference_id, points, expires_at, status, capture_transaction_id FROM point_holds ORDER BY id`),
    queryRows<{ lot_id: string | number; points: string | number }>(db, sql`SELECT lot_id, points FROM lot_vestings`),
    queryRows<{ reward_id: string | number; code: string; transaction_id: string | number | null }>(
      db,
      sql`SELECT reward_id, code, transaction_id FROM reward_coupon_codes`,
    ),
    ...MEMBERS.flatMap((name) => [getMemberSummary(db, name, new Date(now)), getBalance(db, world.memberIds.get(name)!)]),
  ]);

  const keyOf = new Map<number, string>();
  const rows: Record<string, RowView> = {};
  for (const r of txRows) {
    const id = Number(r.id);
    let key = `${r.reference_type}:${r.reference_id}`;
    if (r.reference_type === "reversal") key = `reversal:${keyOf.get(Number(r.reference_id)) ?? `?${r.reference_id}`}`;
    if (r.reference_type === "expiry") {
      const [lot, n] = r.reference_id.split(":");
      key = `expiry:${keyOf.get(Number(lot)) ?? `?${lot}`}#${n ?? 1}`;
    }
    keyOf.set(id, key);
    const related = num(r.related_transaction_id);
    rows[key] = rowView({
      key,
      member: world.memberNames.get(Number(r.member_id)) ?? `?${r.member_id}`,
      type: r.type,
      amount: Number(r.amount),
      spend: num(r.spend_amount),
      related: related === null ? null : (keyOf.get(related) ?? `?${related}`),
      multiplierTt: Math.round(Number(r.multiplier) * 10_000),
      campaign: r.campaign_id === null ? null : (world.campaignIndex.get(Number(r.campaign_id)) ?? -1),
      reward: r.reward_id === null ? null : (world.rewardIndex.get(Number(r.reward_id)) ?? -1),
      occurredAt: instant(r.occurred_at),
      expiresAt: r.expires_at === null ? null : instant(r.expires_at),
      remaining: num(r.remaining),
      vestsAt: r.vests_at === null ? null : instant(r.vests_at),
    });
  }
  const holds: Record<string, HoldView> = {};
  const holdKeyOf = new Map<number, string>();
  for (const h of holdRows) {
    const key = `hold:${h.reference_id}`;
    holdKeyOf.set(Number(h.id), key);
    const expiresAt = new Date(h.expires_at);
    const state = h.status !== "active" ? h.status : expiresAt.getTime() > now ? "active" : "expired";
    const capture = num(h.capture_transaction_id);
    holds[key] = {
      member: world.memberNames.get(Number(h.member_id)) ?? `?${h.member_id}`,
      points: Number(h.points),
      expiresAt: expiresAt.toISOString(),
      state,
      capture: capture === null ? null : (keyOf.get(capture) ?? `?${capture}`),
    };
  }

  const members: Record<string, MemberView> = {};
  MEMBERS.forEach((name, i) => {
    const summary = perMember[2 * i] as Awaited<ReturnType<typeof getMemberSummary>>;
    const balance = perMember[2 * i + 1] as Awaited<ReturnType<typeof getBalance>>;
    const id = world.memberIds.get(name)!;
    members[name] = {
      tier: summary.tier,
      balance: balance?.availablePoints ?? NaN,
      availablePoints: summary.availablePoints,
      heldPoints: summary.heldPoints,
      pendingPoints: summary.pendingPoints,
      totalEarned: summary.totalEarned,
      totalRedeemed: summary.totalRedeemed,
      tierSpend12m: summary.tierSpend12m,
      expiringSoon: summary.expiringSoon.map((e) => `${e.points}@${e.expiresAt.toISOString()}`),
      checkIns: checkIns
        .filter((c) => Number(c.member_id) === id)
        .map((c) => `${c.day}:${c.streak}:${c.transaction_id === null ? null : keyOf.get(Number(c.transaction_id))}`)
        .sort(),
      order: txRows.filter((r) => Number(r.member_id) === id).map((r) => keyOf.get(Number(r.id))!),
    };
  });

  const stockById = new Map(stock.map((s) => [Number(s.id), s.stock]));
  return {
    snapshot: {
      members,
      rows,
      allocations: allocations.map((a) => `${keyOf.get(Number(a.transaction_id))}|${keyOf.get(Number(a.lot_id))}|${Number(a.points)}`).sort(),
      stock: world.rewardIds.map((id) => stockById.get(id) ?? null),
      holds,
      vestings: vestingRows.map((v) => `${keyOf.get(Number(v.lot_id)) ?? `?${v.lot_id}`}|${Number(v.points)}`).sort(),
      pools: world.rewardIds.map((id) => codeRows.filter((c) => Number(c.reward_id) === id && c.transaction_id === null).length),
      coupons: codeRows
        .filter((c) => c.transaction_id !== null)
        .map((c) => `${keyOf.get(Number(c.transaction_id)) ?? `?${c.transaction_id}`}|${comparableCode(c.code)}`)
        .sort(),
    },
    ids: { keyOf, idOf: new Map([...keyOf].map(([id, key]) => [key, id])), holdKeyOf, holdIdOf: new Map([...holdKeyOf].map(([id, key]) => [key, id])) },
  };
}

/** Paths where two values differ, e.g. `members.m0.balance: model 30, system -70`. */
export function differences(model: unknown, system: unknown, path = ""): string[] {
  if (model === system) return [];
  const isObj = (v: unknown) => typeof v === "object" && v !== null;
  if (Array.isArray(model) && Array.isArray(system)) {
    if (model.every((v) => !isObj(v)) && system.every((v) => !isObj(v))) {
      const a = new Set(model.map(String));
      const b = new Set(system.map(String));
      const missing = [...a].filter((v) => !b.has(v));
      const extra = [...b].filter((v) => !a.has(v));
      if (missing.length === 0 && extra.length === 0 && model.length === system.length) {
        // Same elements: only the order differs (a member's rows in id order; docs/ledger.md gives one
        // run of the expiry job the order of the lots, F4 in RELIABILITY.md).
        return model.some((v, i) => String(v) !== String(system[i])) ? [`${path}: order model ${JSON.stringify(model)}, system ${JSON.stringify(system)}`] : [];
      }
      return [`${path}: model only ${JSON.stringify(missing)}, system only ${JSON.stringify(extra)}`];
    }
  }
  if (isObj(model) && isObj(system)) {
    const a = model as Record<string, unknown>;
    const b = system as Record<string, unknown>;
    return [...new Set([...Object.keys(a), ...Object.keys(b)])].flatMap((k) => {
      if (!(k in a)) return [`${path}.${k}: not in model, system ${JSON.stringify(b[k])}`];
      if (!(k in b)) return [`${path}.${k}: model ${JSON.stringify(a[k])}, not in system`];
      return differences(a[k], b[k], `${path}.${k}`);
    });
  }
  return [`${path}: model ${JSON.stringify(model)}, system ${JSON.stringify(system)}`];
}
