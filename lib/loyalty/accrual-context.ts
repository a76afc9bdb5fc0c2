import { sql } from "drizzle-orm";
import { queryRows, type Tx } from "@/db/client";
import { lockBalances } from "@/db/queries/balances";
import { pgArray } from "@/db/queries/pg-array";
import { openLots } from "@/db/queries/lots";
import { findMembersByExternalIds } from "@/db/queries/members";
import { findByReferences, refundedSoFar, type ReferenceKey } from "@/db/queries/transactions";
import type { AcceptedEvent, PlanContext } from "./accrual-plan";
import { findActiveCampaigns } from "./campaign-lookup";
import { previousUtcDay, utcDay } from "./rules/login-streak";
import { toTenThousandths } from "./rules/points";
import { getProgramSettings, getTiers } from "./settings";

/** Reserves ledger ids up front, so a batch can plan rows that refer to each other before inserting them. */
async function reserveIds(tx: Tx, count: number): Promise<number[]> {
  if (count === 0) return [];
  const rows = await queryRows<{ id: string | number }>(
    tx,
    sql`SELECT nextval(pg_get_serial_sequence('point_transactions', 'id')) AS id FROM generate_series(1, ${count}::int)`,
  );
  return rows.map((r) => Number(r.id)).sort((a, b) => a - b);
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
 * Everything the plan needs, read in a fixed order: programme rules and members first, then the
 * members' balance rows are locked (member-id order), and only then the state those locks protect
 * (references, lots, refunds so far, check-ins), so what is read cannot change before the commit.
 */
export async function loadAccrualContext(tx: Tx, events: readonly AcceptedEvent[], actor: string): Promise<PlanContext> {
  const times = events.map((e) => e.occurredAt.getTime());
  const [settings, tierRows, campaigns, members] = await Promise.all([
    getProgramSettings(tx),
    getTiers(tx),
    events.length > 0 ? findActiveCampaigns(tx, new Date(Math.min(...times)), new Date(Math.max(...times))) : [],
    findMembersByExternalIds(
      tx,
      events.map((e) => e.event.memberExternalId),
    ),
  ]);
  const membersByExternalId = new Map(members.map((m) => [m.externalId, { id: m.id, tier: m.tier }]));
  const known = events.filter((e) => membersByExternalId.has(e.event.memberExternalId));
  const memberOf = (e: AcceptedEvent) => membersByExternalId.get(e.event.memberExternalId)!.id;

  const balances = await lockBalances(tx, known.map(memberOf));

  const refs: ReferenceKey[] = known.map((e) => ({ referenceType: e.event.type, referenceId: e.event.referenceId }));
  const refunds = known.filter((e) => e.event.type === "refund");
  for (const e of refunds) refs.push({ referenceType: "purchase", referenceId: e.event.originalReferenceId! });
  const logins = known.filter((e) => e.event.type === "login");
  const checkInKeys = logins.flatMap((e) => {
    const day = utcDay(e.occurredAt);
    return [
      { memberId: memberOf(e), day },
      { memberId: memberOf(e), day: previousUtcDay(day) },
    ];
  });

  const [existing, lotRows, checkIns, reservedIds] = await Promise.all([
    findByReferences(tx, refs),
    openLots(tx, refunds.map(memberOf)),
    loadCheckIns(tx, checkInKeys),
    reserveIds(tx, known.length),
  ]);
  const purchaseIds = existing.filter((r) => r.referenceType === "purchase").map((r) => r.id);
  const refunded = await refundedSoFar(tx, purchaseIds);

  const lots = new Map<number, { id: number; expiresAt: Date; remaining: number }[]>();
  for (const lot of lotRows) {
    const list = lots.get(lot.memberId) ?? [];
    list.push({ id: lot.id, expiresAt: lot.expiresAt, remaining: lot.remaining });
    lots.set(lot.memberId, list);
  }

  return {
    actor,
    settings,
    tierMultipliersTt: new Map(tierRows.map((t) => [t.code, toTenThousandths(t.earnMultiplier)])),
    campaigns,
    membersByExternalId,
    balances,
    lots,
    existing,
    refunded,
    checkIns,
    reservedIds,
  };
}
