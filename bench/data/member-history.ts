import type { Random } from "./random";

const DAY_MS = 86_400_000;
const YEAR_MS = 365 * DAY_MS;

export const TRANSACTION_COLUMNS = [
  "id",
  "member_id",
  "type",
  "amount",
  "reference_type",
  "reference_id",
  "multiplier",
  "spend_amount",
  "related_transaction_id",
  "created_by",
  "occurred_at",
  "created_at",
  "expires_at",
  "remaining",
] as const;

export interface MemberTotals {
  available: number;
  earned: number;
  redeemed: number;
  spend12m: number;
}

interface Lot {
  id: number;
  remaining: number;
  expiresAt: number;
  /** Index of its row in the output, to write the final `remaining` once the history is done. */
  row: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * One member's plausible history, oldest first: purchases (log-normal baskets, some under a 2x
 * campaign), daily logins, the odd review and referral, redemptions in round amounts once the
 * balance allows, and expiry of lots 12 months after they were earned. Balances and lot
 * `remaining` are consistent with the rows, so the jobs and reads behave as on real data.
 */
export function memberHistory(
  random: Random,
  memberId: number,
  count: number,
  since: number,
  now: number,
  nextId: () => number,
): { rows: string[]; totals: MemberTotals } {
  const rows: (string[] | undefined)[] = [];
  const lots: Lot[] = [];
  const totals: MemberTotals = { available: 0, earned: 0, redeemed: 0, spend12m: 0 };
  const times = Array.from({ length: count }, () => since + random.next() * (now - since)).sort((a, b) => a - b);

  const push = (fields: (string | number | null)[]) => {
    rows.push(fields.map((f) => (f === null ? "\\N" : String(f))));
    return rows.length - 1;
  };
  const expireUntil = (at: number) => {
    for (const lot of lots) {
      if (lot.remaining > 0 && lot.expiresAt <= at) {
        const id = nextId();
        push([
          id,
          memberId,
          "expire",
          -lot.remaining,
          "expiry",
          `x${lot.id}`,
          1,
          null,
          lot.id,
          "job:expire",
          iso(lot.expiresAt),
          iso(lot.expiresAt),
          null,
          null,
        ]);
        totals.available -= lot.remaining;
        lot.remaining = 0;
      }
    }
  };

  for (const at of times) {
    expireUntil(at);
    const id = nextId();
    const roll = random.next();
    if (roll < 0.1 && totals.available >= 500) {
      const points = -Math.min(totals.available, 500 * random.int(1, 4));
      let due = -points;
      for (const lot of lots) {
        if (due === 0) break;
        if (lot.remaining === 0 || lot.expiresAt <= at) continue;
        const take = Math.min(due, lot.remaining);
        lot.remaining -= take;
        due -= take;
      }
      const spent = -points - due;
      if (spent === 0) continue;
      push([id, memberId, "redeem", -spent, "redemption", `r${id}`, 1, null, null, "api:bench", iso(at), iso(at), null, null]);
      totals.available -= spent;
      totals.redeemed += spent;
      continue;
    }
    let points: number;
    let referenceType: string;
    let multiplier = 1;
    let spend: number | null = null;
    if (roll < 0.75) {
      spend = Math.max(100, Math.round(random.logNormal(4_000, 0.9)));
      multiplier = random.next() < 0.05 ? 2 : 1;
      points = Math.floor(spend / 100) * multiplier;
      referenceType = "purchase";
      if (at > now - YEAR_MS) totals.spend12m += spend;
    } else if (roll < 0.95) {
      points = 10;
      referenceType = "login";
    } else if (roll < 0.99) {
      points = 50;
      referenceType = "review";
    } else {
      points = 500;
      referenceType = "referral";
    }
    const expiresAt = at + YEAR_MS;
    const row = push([
      id,
      memberId,
      "earn",
      points,
      referenceType,
      `${referenceType[0]}${id}`,
      multiplier,
      spend,
      null,
      "api:bench",
      iso(at),
      iso(at),
      iso(expiresAt),
      points,
    ]);
    lots.push({ id, remaining: points, expiresAt, row });
    totals.available += points;
    totals.earned += points;
  }
  expireUntil(now);
  for (const lot of lots) rows[lot.row]![13] = String(lot.remaining);
  return { rows: rows.map((r) => r!.join("\t")), totals };
}
