import { MAX_POINTS, referenceIdSchema } from "./event-input";
import type { ErrorCode } from "../errors";
import { isInstantInRange } from "../input/input-bounds";
import { requestFingerprint } from "../ledger/request-fingerprint";
import { isReservedExternalId, RESERVED_EXTERNAL_ID_MESSAGE } from "../rules/erased-ids";
import { expiresAtFor } from "../rules/expiry";

/**
 * One line of an opening-balance file (docs/ledger.md, "Opening balances"), parsed and checked on
 * its own: what the streaming import validates before a row reaches a batch. Pure: the clock and
 * the programme's expiry months are parameters.
 */

export const OPENING_BALANCE_COLUMNS = ["externalId", "points", "earnedAt", "expiresAt", "reference"] as const;
export type OpeningBalanceColumn = (typeof OPENING_BALANCE_COLUMNS)[number];
const REQUIRED: readonly OpeningBalanceColumn[] = ["externalId", "points", "earnedAt", "reference"];

/** The reference type of imported lots: `('import', reference)` is the idempotency key. */
export const IMPORT_REFERENCE_TYPE = "import";

export interface OpeningBalanceRow {
  line: number;
  externalId: string;
  points: number;
  earnedAt: Date;
  /** As given, or the programme's expiry counted from earnedAt. */
  expiresAt: Date;
  /** Whether expiresAt came from the file (it is part of the request fingerprint only then). */
  expiresAtGiven: boolean;
  reference: string;
  fingerprint: string;
}

export interface RowProblem {
  line: number;
  code: ErrorCode;
  field?: string;
  message: string;
}

/**
 * Maps the header to column positions. Names are matched case-insensitively, underscores ignored
 * (external_id = externalId). An unknown, repeated or missing required column refuses the whole
 * file: its rows could not be read as the operator meant.
 */
export function headerColumns(header: readonly string[]): { ok: true; positions: Record<OpeningBalanceColumn, number> } | { ok: false; message: string } {
  const positions = { externalId: -1, points: -1, earnedAt: -1, expiresAt: -1, reference: -1 } satisfies Record<OpeningBalanceColumn, number>;
  for (const [i, raw] of header.entries()) {
    const name = raw.trim();
    const known = OPENING_BALANCE_COLUMNS.find((c) => c.toLowerCase() === name.toLowerCase().replace(/_/g, ""));
    if (!known) return { ok: false, message: `unknown column "${name.slice(0, 50)}": expected ${OPENING_BALANCE_COLUMNS.join(", ")}` };
    if (positions[known] !== -1) return { ok: false, message: `column ${known} appears twice` };
    positions[known] = i;
  }
  const missing = REQUIRED.filter((c) => positions[c] === -1);
  if (missing.length > 0) return { ok: false, message: `missing column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}` };
  return { ok: true, positions };
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * An ISO 8601 instant with its offset (2024-03-01T10:00:00Z, …+02:00) or a calendar day
 * (2024-03-01, midnight UTC). Anything else, an impossible date (2024-02-30) included, is null.
 */
export function parseImportInstant(text: string): Date | null {
  const value = text.trim();
  let date: Date;
  if (DAY.test(value)) date = new Date(`${value}T00:00:00.000Z`);
  else if (INSTANT.test(value)) date = new Date(value);
  else return null;
  if (Number.isNaN(date.getTime()) || !isInstantInRange(date)) return null;
  // Date() rolls 2024-02-30 over to 1 March: the day written must be the day read back (in UTC for a
  // day, in the offset given for an instant, which only an exact round trip of the fields checks).
  const dayPart = value.slice(0, 10);
  const offset = DAY.test(value) ? 0 : offsetMinutes(value);
  const local = new Date(date.getTime() + offset * 60_000).toISOString().slice(0, 10);
  return local === dayPart ? date : null;
}

function offsetMinutes(value: string): number {
  if (value.endsWith("Z")) return 0;
  const sign = value.at(-6) === "-" ? -1 : 1;
  return sign * (Number(value.slice(-5, -3)) * 60 + Number(value.slice(-2)));
}

/** The canonical request of an imported row; expiresAt only when the file gave it. */
export function openingBalanceFingerprint(row: { externalId: string; points: number; earnedAt: Date; expiresAt?: Date }): string {
  return requestFingerprint([
    ["externalId", row.externalId],
    ["points", row.points],
    ["earnedAt", row.earnedAt.toISOString()],
    ["expiresAt", row.expiresAt?.toISOString()],
  ]);
}

/** A record's fields (by position) checked into a row, or the first problem found, field by field. */
export function parseOpeningBalanceRecord(
  fields: readonly string[],
  line: number,
  positions: Record<OpeningBalanceColumn, number>,
  options: { now: Date; expiryMonths: number; futureSkewMs: number; columnCount: number },
): OpeningBalanceRow | RowProblem {
  const problem = (field: string | undefined, message: string, code: ErrorCode = "validation_failed"): RowProblem => ({
    line,
    code,
    ...(field ? { field } : {}),
    message: field ? `${field} ${message}` : message,
  });
  if (fields.length !== options.columnCount) {
    return problem(undefined, `has ${fields.length} field${fields.length === 1 ? "" : "s"}, the header has ${options.columnCount}`);
  }
  const at = (c: OpeningBalanceColumn) => (positions[c] === -1 ? "" : (fields[positions[c]] ?? ""));

  const externalId = referenceIdSchema.safeParse(at("externalId"));
  if (!externalId.success) return problem("externalId", externalId.error.issues[0]!.message);
  // An erased member's tombstone: no member may be created with it, nor may it be booked to.
  if (isReservedExternalId(externalId.data)) return problem("externalId", RESERVED_EXTERNAL_ID_MESSAGE);

  const pointsText = at("points").trim();
  if (!/^[+-]?\d+$/.test(pointsText)) return problem("points", "must be a whole number");
  const points = Number(pointsText);
  if (points <= 0) return problem("points", "must be positive");
  if (points > MAX_POINTS) return problem("points", `must be at most ${MAX_POINTS}`);

  const earnedText = at("earnedAt");
  if (earnedText.trim() === "") return problem("earnedAt", "is required");
  const earnedAt = parseImportInstant(earnedText);
  if (!earnedAt) return problem("earnedAt", "must be an ISO 8601 date or instant with an offset (2024-03-01, 2024-03-01T10:00:00Z)");
  if (earnedAt.getTime() > options.now.getTime() + options.futureSkewMs) return problem("earnedAt", "is in the future", "unprocessable");

  const expiresText = at("expiresAt");
  const expiresAtGiven = expiresText.trim() !== "";
  let expiresAt: Date;
  if (expiresAtGiven) {
    const parsed = parseImportInstant(expiresText);
    if (!parsed) return problem("expiresAt", "must be an ISO 8601 date or instant with an offset, or empty");
    if (parsed.getTime() <= earnedAt.getTime()) return problem("expiresAt", "must be after earnedAt", "unprocessable");
    expiresAt = parsed;
  } else {
    expiresAt = expiresAtFor(earnedAt, options.expiryMonths);
  }

  const reference = referenceIdSchema.safeParse(at("reference"));
  if (!reference.success) return problem("reference", reference.error.issues[0]!.message);

  return {
    line,
    externalId: externalId.data,
    points,
    earnedAt,
    expiresAt,
    expiresAtGiven,
    reference: reference.data,
    fingerprint: openingBalanceFingerprint({ externalId: externalId.data, points, earnedAt, expiresAt: expiresAtGiven ? expiresAt : undefined }),
  };
}
