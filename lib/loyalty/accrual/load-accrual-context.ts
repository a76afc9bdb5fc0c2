import { sql } from "drizzle-orm";
import { queryRows, type Tx } from "@/db/client";
import { lockMembersByExternalIds } from "@/db/queries/balances";
import { pgArray } from "@/db/queries/pg-array";
import { openLots } from "@/db/queries/lots";
import { findByReferences, givenBackSoFar, type ReferenceKey } from "@/db/queries/transactions";
import { capUsage, findCapsInForce, findRulesInForce, lineRefundsSoFar } from "@/db/queries/earning-rules";
import type { AcceptedEvent, PlanContext } from "./plan-accrual";
import { findActiveCampaigns } from "../campaigns/find-active-campaigns";
import type { LotState } from "../rules/fifo";
import { capUsageWindows, usageMap } from "./earning-context";
import { previousUtcDay, utcDay } from "../rules/login-streak";
import { toTenThousandths } from "../rules/points";
import { getProgramSettings, getTiers } from "../program/get-program-settings";
import { tierWindowStart } from "../rules/tier-thresholds";

/** Reserves ledger ids up front, so a batch can plan rows that refer to each other before inserting them. */
export async function reserveIds(tx: Tx, count: number): Promise<number[]> {
  if (count === 0) return [];
  // The sequence named as a literal (the migration names it): resolved once at parse time, where
  // pg_get_serial_sequence() would be called again for every id. One text row, not a row per id.
  const [row] = await queryRows<{ ids: string }>(
    tx,
    sql`SELECT string_agg(nextval('point_transactions_id_seq'::regclass)::text, ',') AS ids FROM generate_series(1, ${count}::int)`,
  );
  return row!.ids
    .split(",")
    .map(Number)
    .sort((a, b) => a - b);
}

async function loadCheckIns(tx: Tx, keys: readonly { memberId: number; day: string }[]): Promise<Map<string, { streak: number }>> {
  if (keys.length === 0) return new Map();
  const rows = await queryRows<{ member_id: string | number; day: string; streak: number }>(
    tx,
    sql`SELECT c.member_id, to_char(c.day, 'YYYY-MM-DD') AS day, c.streak
        FROM login_check_ins c
        JOIN unnest(${pgArray(keys.map((k) => k.memberId))}::bigint[], ${pgArray(keys.map((k) => k.day))}::date[]) AS k(member_id, day)
          ON c.member_id = k.member_id AND c.day = k.day`,
  );
  return new Map(rows.map((r) => [`${Number(r.member_id)}|${r.day}`, { streak: Number(r.streak) }]));
}

/**
 * Everything the plan needs, in two round trips at most (one for a batch of purchases, referrals and
 * reviews). The first pipelines, in this order: programme rules, the members resolved with their
 * balance rows locked (member-id order), then the references and the reserved ids. Pipelined
 * statements still run one after the other, each with its own snapshot, so the references are read
 * once the locks are held and cannot change before the commit. The second reads what only refunds
 * (lots, refunds so far) and logins (check-ins) need, and is skipped when there are none.
 */
export async function loadAccrualContext(tx: Tx, events: readonly AcceptedEvent[], actor: string, now: Date): Promise<PlanContext> {
  const times = events.map((e) => e.occurredAt.getTime());
  // Every event's reference, whether or not its member exists: the ids are not known yet, and a row
  // found for an unknown member's event is never looked at.
  const refs: ReferenceKey[] = events.map((e) => ({ referenceType: e.event.type, referenceId: e.event.referenceId }));
  for (const e of events) {
    if (e.event.type === "refund") refs.push({ referenceType: "purchase", referenceId: e.event.originalReferenceId! });
  }
  const earliest = new Date(Math.min(...times));
  const latest = new Date(Math.max(...times));
  const usageWindows = capUsageWindows(earliest, latest);
  const externalIds = events.map((e) => e.event.memberExternalId);
  // The earning rules, caps and what the members used of the caps in the same pipeline: the usage
  // statement comes after the lock statement, so it sees every batch that held the locks before.
  const [settings, tierRows, campaigns, rules, caps, members, usage, existing, reservedIds] = await Promise.all([
    getProgramSettings(tx),
    getTiers(tx),
    events.length > 0 ? findActiveCampaigns(tx, earliest, latest) : [],
    events.length > 0 ? findRulesInForce(tx, earliest, latest) : [],
    events.length > 0 ? findCapsInForce(tx, earliest, latest) : [],
    lockMembersByExternalIds(tx, externalIds),
    events.length > 0 ? capUsage(tx, externalIds, usageWindows) : [],
    findByReferences(tx, refs),
    reserveIds(tx, events.length),
  ]);
  const membersByExternalId = new Map(members.map((m) => [m.externalId, { id: m.id, tier: m.tier }]));
  const balances = new Map(members.map((m) => [m.id, m.availablePoints]));
  const known = events.filter((e) => membersByExternalId.has(e.event.memberExternalId));
  const memberOf = (e: AcceptedEvent) => membersByExternalId.get(e.event.memberExternalId)!.id;

  const refunds = known.filter((e) => e.event.type === "refund");
  const originals = new Set(refunds.map((e) => e.event.originalReferenceId!));
  const logins = known.filter((e) => e.event.type === "login");
  const checkInKeys = logins.flatMap((e) => {
    const day = utcDay(e.occurredAt);
    return [
      { memberId: memberOf(e), day },
      { memberId: memberOf(e), day: previousUtcDay(day) },
    ];
  });
  const purchaseIds = existing.filter((r) => r.referenceType === "purchase" && originals.has(r.referenceId)).map((r) => r.id);

  const [lotRows, checkIns, givenBack, lineRefunds] = await Promise.all([
    openLots(tx, refunds.map(memberOf)),
    loadCheckIns(tx, checkInKeys),
    givenBackSoFar(tx, purchaseIds),
    lineRefundsSoFar(
      tx,
      existing.filter((r) => r.referenceType === "purchase" && originals.has(r.referenceId) && r.appliedRules?.lines).map((r) => r.id),
    ),
  ]);

  const lots = new Map<number, LotState[]>();
  for (const lot of lotRows) {
    const list = lots.get(lot.memberId) ?? [];
    list.push({ id: lot.id, expiresAt: lot.expiresAt, remaining: lot.remaining, vestsAt: lot.vestsAt });
    lots.set(lot.memberId, list);
  }

  return {
    actor,
    settings,
    tierMultipliersTt: new Map(tierRows.map((t) => [t.code, toTenThousandths(t.earnMultiplier)])),
    campaigns,
    rules,
    caps,
    capUsage: usageMap(usage),
    lineRefunds,
    membersByExternalId,
    balances,
    lots,
    existing,
    givenBack,
    checkIns,
    reservedIds,
    tierWindowStart: tierWindowStart(now, settings.tierQualificationMonths),
    now,
  };
}
