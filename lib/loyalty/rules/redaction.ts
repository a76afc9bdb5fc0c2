/**
 * What erasure does to one audit entry (docs/privacy.md): every occurrence of a personal value of
 * the erased member (email, name, external id), in any letter case, is replaced by its tombstone in
 * the actor, the target, the reason and every string of `before` and `after`; client addresses
 * kept beside their account (an `address` key, an `address:<ip>` actor) become "[erased]". Pure:
 * the service decides which entries are about the member and writes the result through
 * audit_log_redact(), which keeps the hash chain verifiable.
 */
export const ERASED = "[erased]";

export interface Replacement {
  /** A personal value as stored (compared case-insensitively); empty values are ignored. */
  value: string;
  /** What takes its place. */
  by: string;
  /**
   * "substring": wherever it occurs (an email, a name); "token": only where it stands alone, not
   * inside a longer id or number (an external id such as "42" must not touch "1425" or a date).
   */
  match?: "substring" | "token";
}

/** Characters an external id is made of (printable ASCII without spaces, less punctuation that separates). */
const TOKEN_CHAR = "A-Za-z0-9_.@:/+-";

/** A PostgreSQL (and JavaScript) regular expression matching `value` as `match` says. */
export function pattern(value: string, match: Replacement["match"] = "substring"): string {
  const escaped = escapeRegExp(value);
  return match === "token" ? `(^|[^${TOKEN_CHAR}])${escaped}($|[^${TOKEN_CHAR}])` : escaped;
}

export interface RedactableEntry {
  actor: string;
  targetId: string;
  reason: string | null;
  before: unknown;
  after: unknown;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Longest values first, so an email is replaced whole before a name inside it. */
function replacer(replacements: readonly Replacement[]): (text: string) => string {
  const usable = replacements.filter((r) => r.value.trim().length > 0).sort((a, b) => b.value.length - a.value.length);
  const steps = usable.map((r) => {
    const escaped = escapeRegExp(r.value);
    // Lookarounds keep the separators around a token in place.
    const source = r.match === "token" ? `(?<![${TOKEN_CHAR}])${escaped}(?![${TOKEN_CHAR}])` : escaped;
    return { re: new RegExp(source, "gi"), by: r.by };
  });
  return (text) => steps.reduce((out, step) => out.replace(step.re, () => step.by), text);
}

function redactJson(value: unknown, replace: (text: string) => string, key?: string): unknown {
  if (typeof value === "string") return key === "address" ? ERASED : replace(value);
  if (Array.isArray(value)) return value.map((v) => redactJson(v, replace));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [replace(k), redactJson(v, replace, k)]));
  }
  return value;
}

export function redactEntry(entry: RedactableEntry, replacements: readonly Replacement[]): RedactableEntry {
  const replace = replacer(replacements);
  return {
    actor: entry.actor.startsWith("address:") ? `address:${ERASED}` : replace(entry.actor),
    targetId: replace(entry.targetId),
    reason: entry.reason === null ? null : replace(entry.reason),
    before: redactJson(entry.before, replace),
    after: redactJson(entry.after, replace),
  };
}

/** Whether `text` holds any of the values, matched as `redactEntry` would replace them (a reason must not). */
export function mentions(text: string, replacements: readonly Replacement[]): boolean {
  return replacer(replacements)(text) !== text;
}
