/**
 * Reference model of referral codes, written from docs/ledger.md ("Referrals") alone: what each
 * sign-up with a code, purchase, refund and redemption does to the referral records and to the
 * referrers' balances. Pure; the differential test (referral-differential.test.ts) runs the same
 * operations against PostgreSQL and compares.
 */

export interface RefSettings {
  referrerRewardPoints: number;
  refereeRewardPoints: number;
  windowDays: number;
  monthlyLimit: number;
}

export interface RefRecord {
  referrer: string;
  source: "signup" | "purchase";
  status: "pending" | "rewarded" | "refused" | "reversed";
  reason: "self_referral" | "already_member" | "monthly_limit" | null;
  purchase: string | null;
  purchaseAt: number | null;
  rewardedMonth: string | null;
  referrerPoints: number | null;
  refereePoints: number | null;
  referrerPointsReversed: number | null;
  refereePointsReversed: number | null;
}

export interface RefMember {
  email: string | null;
  /** Any ledger row. */
  rows: number;
  balance: number;
  purchases: { ref: string; at: number; refunded: boolean }[];
}

export interface RefModel {
  settings: RefSettings;
  members: Map<string, RefMember>;
  /** By referee. */
  records: Map<string, RefRecord>;
}

export const newRefModel = (settings: RefSettings): RefModel => ({ settings, members: new Map(), records: new Map() });

const month = (at: number) => new Date(at).toISOString().slice(0, 7);
const DAY = 24 * 60 * 60 * 1000;

function member(m: RefModel, id: string, email: string | null = null): RefMember {
  let found = m.members.get(id);
  if (!found) {
    found = { email, rows: 0, balance: 0, purchases: [] };
    m.members.set(id, found);
  }
  return found;
}

function refusal(m: RefModel, referee: string, referrer: string, existed: boolean): RefRecord["reason"] {
  if (referee === referrer) return "self_referral";
  const a = m.members.get(referee)?.email?.toLowerCase();
  const b = m.members.get(referrer)?.email?.toLowerCase();
  if (a && b && a === b) return "self_referral";
  if (existed || (m.members.get(referee)?.rows ?? 0) > 0) return "already_member";
  return null;
}

export function addReferrer(m: RefModel, id: string, email: string): void {
  member(m, id, email);
}

/** POST /api/v1/members {externalId, email?, referralCode} with a known code. */
export function signUp(m: RefModel, referee: string, email: string | null, referrer: string): RefRecord {
  const existed = m.members.has(referee);
  member(m, referee, email);
  const had = m.records.get(referee);
  if (had) return had;
  const reason = refusal(m, referee, referrer, existed);
  const record: RefRecord = {
    referrer,
    source: "signup",
    status: reason ? "refused" : "pending",
    reason,
    purchase: null,
    purchaseAt: null,
    rewardedMonth: null,
    referrerPoints: null,
    refereePoints: null,
    referrerPointsReversed: null,
    refereePointsReversed: null,
  };
  m.records.set(referee, record);
  return record;
}

/** A purchase (new reference), at `at` (also the batch's clock), maybe carrying a known referrer's code. */
export function purchase(m: RefModel, buyer: string, ref: string, points: number, at: number, code?: string): void {
  const b = member(m, buyer);
  if (code !== undefined && !m.records.has(buyer)) {
    const reason = refusal(m, buyer, code, false);
    m.records.set(buyer, {
      referrer: code,
      source: "purchase",
      status: reason ? "refused" : "pending",
      reason,
      purchase: null,
      purchaseAt: null,
      rewardedMonth: null,
      referrerPoints: null,
      refereePoints: null,
      referrerPointsReversed: null,
      refereePointsReversed: null,
    });
  }
  b.rows += 1;
  b.balance += points;
  b.purchases.push({ ref, at, refunded: false });
  const record = m.records.get(buyer);
  if (!record || record.status !== "pending") return;
  record.purchase = ref;
  record.purchaseAt = at;
  const used = [...m.records.values()].filter(
    (r) => r.referrer === record.referrer && (r.status === "rewarded" || r.status === "reversed") && r.rewardedMonth === month(at),
  ).length;
  if (used >= m.settings.monthlyLimit) {
    record.status = "refused";
    record.reason = "monthly_limit";
    return;
  }
  const referrer = member(m, record.referrer);
  record.status = "rewarded";
  record.rewardedMonth = month(at);
  record.referrerPoints = m.settings.referrerRewardPoints;
  record.refereePoints = m.settings.refereeRewardPoints;
  const pay = (who: RefMember, points: number) => {
    if (points > 0) {
      who.balance += points;
      who.rows += 1;
    }
  };
  pay(referrer, m.settings.referrerRewardPoints);
  pay(b, m.settings.refereeRewardPoints);
}

/** A full refund of `ref` (points as it earned) at `at`. */
export function refund(m: RefModel, buyer: string, ref: string, points: number, at: number): void {
  const b = member(m, buyer);
  const p = b.purchases.find((x) => x.ref === ref);
  if (!p || p.refunded) return;
  p.refunded = true;
  b.rows += 1;
  b.balance -= points;
  const record = m.records.get(buyer);
  if (!record || record.status !== "rewarded" || record.purchase !== ref) return;
  if (!(m.settings.windowDays > 0 && at - record.purchaseAt! <= m.settings.windowDays * DAY)) return;
  const take = (who: RefMember, reward: number) => {
    const points = Math.max(0, Math.min(reward, who.balance));
    who.balance -= points;
    if (points > 0) who.rows += 1;
    return points;
  };
  record.referrerPointsReversed = take(member(m, record.referrer), record.referrerPoints ?? 0);
  record.refereePointsReversed = take(b, record.refereePoints ?? 0);
  record.status = "reversed";
}

/** A redemption the member can afford. */
export function redeem(m: RefModel, who: string, points: number): boolean {
  const w = member(m, who);
  if (points <= 0 || w.balance < points) return false;
  w.balance -= points;
  w.rows += 1;
  return true;
}
