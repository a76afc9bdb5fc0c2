/**
 * The reference model of the opening-balance import, written from docs/ledger.md ("Opening
 * balances", "Idempotency", "Lots") rather than from lib/loyalty: a file's lines in, each line's
 * outcome and the ledger it leaves out. Its own small state (members with balance and earned total,
 * the import lots, their expire rows), so it composes with nothing else of the model yet.
 */
import { addMonths, MINUTE } from "./model-time";

export interface ImportModelState {
  now: number;
  expiryMonths: number;
  members: Map<string, { balance: number; totalEarned: number }>;
  /** By reference. */
  lots: Map<string, { member: string; amount: number; remaining: number; occurredAt: number; expiresAt: number; request: string }>;
  /** Expire rows of imported lots, by the lot's reference. */
  expiries: Map<string, { amount: number; occurredAt: number }>;
}

export type ImportModelOutcome =
  | { line: number; kind: "accepted"; expired: boolean }
  | { line: number; kind: "duplicate" }
  | { line: number; kind: "conflict"; code: "reference_conflict" | "idempotency_conflict" }
  | { line: number; kind: "rejected"; field: string | null };

const MAX_POINTS = 1_000_000_000;
const DAY_TEXT = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT_TEXT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const PRINTABLE = /^[\x21-\x7e]{1,200}$/;

/** "an ISO instant with an offset or a calendar day (midnight UTC); impossible days refused". */
export function modelInstant(text: string): number | null {
  const v = text.trim();
  if (DAY_TEXT.test(v)) {
    const [y, m, d] = v.split("-").map(Number) as [number, number, number];
    const at = Date.UTC(y, m - 1, d);
    return new Date(at).getUTCDate() === d && new Date(at).getUTCMonth() === m - 1 ? at : null;
  }
  if (!INSTANT_TEXT.test(v)) return null;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return null;
  // The day written must exist: compare it with the instant read back in the offset given.
  const offset = v.endsWith("Z") ? 0 : (v.at(-6) === "-" ? -1 : 1) * (Number(v.slice(-5, -3)) * 60 + Number(v.slice(-2)));
  return new Date(at + offset * MINUTE).toISOString().slice(0, 10) === v.slice(0, 10) ? at : null;
}

/**
 * One file: `header` names the columns, `lines` are its data lines (each an array of fields),
 * numbered from 2. Returns each line's outcome, in line order, and changes the state.
 */
export function importFile(state: ImportModelState, header: readonly string[], lines: readonly string[][]): ImportModelOutcome[] {
  const col = (name: string) => header.findIndex((h) => h.toLowerCase().replace(/_/g, "") === name.toLowerCase());
  const at = { externalId: col("externalId"), points: col("points"), earnedAt: col("earnedAt"), expiresAt: col("expiresAt"), reference: col("reference") };
  const outcomes: ImportModelOutcome[] = [];
  const seenInFile = new Map<string, { member: string; request: string }>();
  lines.forEach((fields, i) => {
    const line = i + 2;
    const reject = (field: string | null) => outcomes.push({ line, kind: "rejected", field });
    if (fields.length !== header.length) return reject(null);
    const get = (k: keyof typeof at) => (at[k] === -1 ? "" : fields[at[k]]!);
    const member = get("externalId").trim();
    if (!PRINTABLE.test(member)) return reject("externalId");
    // erased:<id> is an erased member's tombstone (docs/ledger.md, Erased members): never created, never booked to.
    if (member.toLowerCase().startsWith("erased:")) return reject("externalId");
    const pointsText = get("points").trim();
    if (!/^[+-]?\d+$/.test(pointsText)) return reject("points");
    const points = Number(pointsText);
    if (points <= 0 || points > MAX_POINTS) return reject("points");
    const earnedAt = modelInstant(get("earnedAt"));
    if (earnedAt === null || earnedAt > state.now + 5 * MINUTE) return reject("earnedAt");
    const given = get("expiresAt").trim() !== "";
    const expiresAt = given ? modelInstant(get("expiresAt")) : addMonths(earnedAt, state.expiryMonths);
    if (expiresAt === null || expiresAt <= earnedAt) return reject("expiresAt");
    const reference = get("reference").trim();
    if (!PRINTABLE.test(reference)) return reject("reference");
    // The canonical request: externalId, points, earnedAt, and expiresAt only when the file gave it.
    const request = JSON.stringify([member, points, earnedAt, given ? expiresAt : null]);

    // A reference repeated in the file is judged against its first line there; a first line, against
    // what the ledger holds under it.
    const earlier = seenInFile.get(reference) ?? state.lots.get(reference);
    if (!seenInFile.has(reference)) seenInFile.set(reference, { member, request });
    if (earlier) {
      if (earlier.member !== member) return outcomes.push({ line, kind: "conflict", code: "reference_conflict" });
      if (earlier.request !== request) return outcomes.push({ line, kind: "conflict", code: "idempotency_conflict" });
      return outcomes.push({ line, kind: "duplicate" });
    }

    const m = state.members.get(member) ?? { balance: 0, totalEarned: 0 };
    state.members.set(member, m);
    const expired = expiresAt <= state.now;
    // A credit pays back a negative balance first; points already past expiry pay back nothing.
    const remaining = expired ? 0 : points - Math.min(points, Math.max(0, -m.balance));
    state.lots.set(reference, { member, amount: points, remaining, occurredAt: earnedAt, expiresAt, request });
    if (expired) state.expiries.set(reference, { amount: -points, occurredAt: expiresAt });
    else m.balance += points;
    m.totalEarned += points;
    outcomes.push({ line, kind: "accepted", expired });
  });
  return outcomes;
}
