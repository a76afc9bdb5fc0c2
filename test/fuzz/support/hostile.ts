import fc from "fast-check";

/**
 * Hostile values for the input fuzzer (issue 9 §4). Each arbitrary yields values that no field of
 * the kind named may accept, so a payload built with at least one of them must be refused — a 2xx
 * for one is a finding, as is a 5xx for anything.
 */

const CONTROL = ["\u0000", "\u0001", "\u0007", "\u0008", "\u000b", "\u001b", "\u007f", "\u0085", "\u009b", "\ud800", "\udfff"];
const NUL_ISH = fc.constantFrom(...CONTROL);

/**
 * A string with a control character (NUL, escape, C1, lone surrogate) inside it, between two
 * letters: at an edge, trim() would remove a vertical tab or a form feed and leave a fine value.
 */
export const controlText = fc.tuple(fc.string({ maxLength: 20 }), NUL_ISH, fc.string({ maxLength: 20 })).map(([a, c, b]) => `${a}x${c}x${b}`);

/** Longer than any field of ours (the longest takes 10,000 characters), from 10,001 up. */
export const longText = fc
  .tuple(fc.integer({ min: 10_001, max: 20_000 }), fc.constantFrom("a", "é", "𝔘", "0", " "))
  .map(([n, c]) => c.repeat(Math.ceil(n / c.length)));

export const protoKey = fc.constantFrom("__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "__defineGetter__", "valueOf");

/** Strings that look like numbers to a careless parser. */
export const nanLike = fc.constantFrom(
  "NaN",
  "nan",
  "Infinity",
  "-Infinity",
  "1e309",
  "0x10",
  "1_000",
  "",
  " ",
  "1.5",
  "-1",
  "0",
  "1e21",
  "9007199254740993",
  "١٢٣",
  "12abc",
  "+1",
  "00",
  "1e-7",
);

export const hugeNumber = fc.oneof(
  fc.constantFrom(Number.MAX_SAFE_INTEGER + 2, 1e21, 1e300, Number.MAX_VALUE, 2 ** 63, -(2 ** 63), -1e300),
  fc.double({ min: 1e16, max: 1e300, noNaN: true }),
);
export const badNumber = fc.oneof(
  hugeNumber,
  fc.constantFrom(0, -1, -0, 0.5, -1e-9, 1.000001, -999_999_999_999),
  fc.double({ noDefaultInfinity: false }).filter((n) => !Number.isInteger(n) || n <= 0),
);

/** Dates PostgreSQL or our bounds refuse: year 0000, before 1970, beyond 9999, not dates at all. */
export const farDate = fc.constantFrom(
  "0000-01-01T00:00:00Z",
  "0000-12-31T23:59:59.999Z",
  "0001-01-01T00:00:00+14:00",
  "1969-12-31T23:59:59Z",
  "1900-01-01T00:00:00Z",
  "+275760-09-13T00:00:00Z",
  "-271821-04-20T00:00:00Z",
  "+010000-01-01T00:00:00Z",
  "10000-01-01T00:00:00Z",
  "2026-02-30T00:00:00Z",
  "2026-13-01T00:00:00Z",
  "2026-01-01T25:00:00Z",
  "2026-01-01",
  "yesterday",
  "1e12",
  "0",
  "2026-01-01T00:00:00",
);
/** Days (YYYY-MM-DD) a page or export must not pass on: year 0000, before 1970, not days. */
export const farDay = fc.constantFrom(
  "0000-01-01",
  "0001-01-01",
  "1969-12-31",
  "1000-06-15",
  "2026-02-30",
  "2026-00-10",
  "+275760-09-13",
  "99999-01-01",
  "00-01-01",
  "2026-1-1",
);

/** Values of the wrong JSON type for a field, whatever its type. */
export const wrongType = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.constant([]),
  fc.array(fc.string({ maxLength: 5 }), { minLength: 1, maxLength: 3 }),
  fc.constant({}),
  fc.dictionary(protoKey, fc.integer(), { minKeys: 1, maxKeys: 2 }),
);

export function deepNesting(depth: number): unknown {
  let value: unknown = "x";
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { a: value };
  return value;
}
export const deep = fc.integer({ min: 20, max: 2_000 }).map(deepNesting);

/** A bad value for a text field: control characters, too long, wrong type, deep, or a prototype key object. */
export const badText = fc.oneof(controlText, longText, wrongType, fc.integer(), deep);
/** A bad value for an identifier (printable ASCII, 1..200). */
export const badId = fc.oneof(
  controlText,
  fc.constantFrom("", " ", "a b", "é", "日本", "😀", "\u200b", "x".repeat(201)),
  wrongType,
  fc.integer(),
  fc.string({ minLength: 1, maxLength: 10 }).map((s) => `${s} ${s}`),
);
/** A bad value for a positive integer field. */
export const badInt = fc.oneof(badNumber, nanLike, wrongType, controlText);
export const badDate = fc.oneof(
  { weight: 4, arbitrary: farDate },
  { weight: 1, arbitrary: controlText },
  { weight: 1, arbitrary: wrongType },
  { weight: 1, arbitrary: fc.integer() },
);

/** Unicode that is fine in itself: mixed into otherwise-valid fields around a bad one. */
export const unicode = fc.string({ unit: "grapheme", minLength: 1, maxLength: 30 });
export const printableId = fc.stringMatching(/^[\x21-\x7e]{1,40}$/);

/** Bodies that are not even the right kind of JSON: bad JSON text, arrays, scalars, deep nesting. */
export const badBody = fc.oneof(
  fc.constantFrom(
    "{",
    '{"a":',
    "[1,2",
    "nul",
    "tru",
    "{'a':1}",
    '{"a":1,}',
    "\u0000",
    '{"a":"\\ud800"}x',
    "\uFEFF{}",
    '{"__proto__":',
    "NaN",
    "undefined",
    "{} {}",
  ),
  fc.string({ maxLength: 50 }).filter((s) => {
    try {
      JSON.parse(s);
      return false;
    } catch {
      return true;
    }
  }),
  fc.constantFrom("[]", "null", "0", '"text"', "true", "[{}]", "{}", "[[[]]]").map((s) => s),
  deep.map((v) => JSON.stringify(v)),
  fc.dictionary(protoKey, fc.jsonValue({ maxDepth: 2 }), { minKeys: 1, maxKeys: 3 }).map((o) => JSON.stringify(o).replace(/"toString"/, '"__proto__"')),
);

/**
 * An object whose fields are fine except at least one bad value (most often exactly one, so the
 * bad one is what the parse meets): the fine values come from `base` when given (a whole valid
 * object, so that cross-field rules hold), else from each field's `ok`, some left out. Sometimes an
 * unknown or prototype key is added.
 */
export function objectWithABadField(
  fields: Record<string, { ok: fc.Arbitrary<unknown>; bad: fc.Arbitrary<unknown> }>,
  base?: fc.Arbitrary<Record<string, unknown>>,
): fc.Arbitrary<Record<string, unknown>> {
  const names = Object.keys(fields);
  const good =
    base ??
    fc.tuple(fc.record(Object.fromEntries(names.map((n) => [n, fields[n]!.ok]))), fc.subarray(names)).map(([values, dropped]) => {
      const out: Record<string, unknown> = { ...values };
      for (const name of dropped) delete out[name];
      return out;
    });
  return fc
    .tuple(
      fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...names).map((n) => [n]) }, { weight: 1, arbitrary: fc.subarray(names, { minLength: 1 }) }),
      good,
      fc.record(Object.fromEntries(names.map((n) => [n, fields[n]!.bad]))),
      // One payload in six carries an unknown or prototype key as well.
      fc.oneof(
        { weight: 5, arbitrary: fc.constant(null) },
        { weight: 1, arbitrary: fc.tuple(fc.oneof(protoKey, controlText, fc.constantFrom("extra", "id", "memberId")), fc.jsonValue({ maxDepth: 1 })) },
      ),
    )
    .map(([badNames, fine, bad, extra]) => {
      const out: Record<string, unknown> = { ...fine };
      for (const name of badNames) out[name] = bad[name];
      if (extra) Object.defineProperty(out, extra[0], { value: extra[1], enumerable: true, configurable: true, writable: true });
      return out;
    });
}

/** As a browser sends it: a lone surrogate cannot be encoded as UTF-8 and goes out as U+FFFD. */
export function urlEncode(text: string): string {
  return encodeURIComponent(text.replace(/\p{Cs}/gu, "\ufffd"));
}

/** A query string from key/value pairs, with the pairs encoded as a browser would (or not at all). */
export function queryOf(pairs: [string, unknown][]): string {
  return pairs.map(([k, v]) => `${urlEncode(k)}=${urlEncode(typeof v === "string" ? v : (JSON.stringify(v) ?? ""))}`).join("&");
}
