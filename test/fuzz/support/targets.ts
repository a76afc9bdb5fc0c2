import fc from "fast-check";
import {
  badBody,
  badDate,
  badId,
  badInt,
  badText,
  controlText,
  farDay,
  longText,
  nanLike,
  objectWithABadField,
  printableId,
  protoKey,
  unicode,
  urlEncode,
  wrongType,
} from "./hostile";

/**
 * What the fuzzer sends to every route, action and page. Keys are paths under app/, as found on
 * disk: a route, page or action file with no entry here fails the run, so a new one cannot go
 * unfuzzed.
 */

/** Who is signed in while a target is fuzzed. */
export type Session = "none" | "member" | "admin";

/** A member that exists (with no points) and a campaign id that does not. */
export const KNOWN_MEMBER = "fuzz-member";

export interface RoutePayload {
  params?: Record<string, string>;
  query?: string;
  /** A string is sent as is (bad JSON); anything else as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
}

export type Expect = "refused" | "batch" | "ignored" | "redirect" | "auth";

export interface RouteSpec {
  session: Session;
  /** The methods the route serves, with their hostile payloads. */
  methods: Partial<Record<"GET" | "POST" | "PATCH" | "DELETE", fc.Arbitrary<RoutePayload>>>;
  /**
   * What a hostile payload may be answered with. "refused": 4xx with {error, message}; "batch": 200
   * whose every item is 4xx, or a 4xx; "ignored": the route takes no input (200 to any query);
   * "redirect": a 3xx to a page that says what went wrong (or a 4xx); "auth": Auth.js's own
   * answers (any status below 500).
   */
  expect: Expect;
  /** A method answering otherwise than `expect` (a GET that takes no input beside a PATCH that does). */
  expectFor?: Partial<Record<"GET" | "POST" | "PATCH" | "DELETE", Expect>>;
  /** When the route needs the API key (v1) or the cron secret. */
  auth?: "api-key" | "cron";
}

const hostileQuery = (keys: string[], bad: fc.Arbitrary<unknown>) =>
  fc
    .tuple(fc.subarray(keys, { minLength: 1 }), fc.array(fc.tuple(fc.oneof(fc.constantFrom(...keys), protoKey, controlText), bad), { maxLength: 3 }), bad)
    .map(([chosen, extra, value]) => [...chosen.map((k) => [k, value] as [string, unknown]), ...extra]);

function toQuery(pairs: [string, unknown][]): string {
  return pairs.map(([k, v]) => `${urlEncode(k)}=${urlEncode(typeof v === "string" ? v : (JSON.stringify(v) ?? ""))}`).join("&");
}

const eventFields = {
  type: {
    ok: fc.constantFrom("purchase", "refund", "referral", "review", "login"),
    bad: fc.oneof(badText, fc.constantFrom("PURCHASE", "earn", "", "__proto__")),
  },
  memberExternalId: { ok: fc.constantFrom(KNOWN_MEMBER), bad: badId },
  referenceId: { ok: printableId, bad: badId },
  amountCents: { ok: fc.integer({ min: 1, max: 1_000_000 }), bad: badInt },
  originalReferenceId: { ok: printableId, bad: badId },
  occurredAt: { ok: fc.constant(new Date(Date.UTC(2026, 0, 1)).toISOString()), bad: badDate },
};
/** A whole valid event of any type (cross-field rules hold), for one field to be made bad. */
const validEvent: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    fc.constantFrom("purchase", "refund", "referral", "review", "login"),
    printableId,
    fc.integer({ min: 1, max: 1_000_000 }),
    printableId,
    fc.option(fc.constant(new Date(Date.UTC(2026, 0, 1)).toISOString()), { nil: undefined }),
  )
  .map(([type, referenceId, amountCents, originalReferenceId, occurredAt]) => ({
    type,
    memberExternalId: KNOWN_MEMBER,
    referenceId,
    ...(type === "purchase" || type === "refund" ? { amountCents } : {}),
    ...(type === "refund" ? { originalReferenceId } : {}),
    ...(occurredAt ? { occurredAt } : {}),
  }));
const hostileEvent = fc.oneof(
  { weight: 3, arbitrary: objectWithABadField(eventFields, validEvent) },
  { weight: 1, arbitrary: objectWithABadField(eventFields) },
  wrongType,
  fc.string({ maxLength: 10 }),
);
const body = (object: fc.Arbitrary<unknown>) => fc.oneof({ weight: 4, arbitrary: object }, { weight: 1, arbitrary: badBody });

const memberFields = {
  externalId: { ok: printableId, bad: badId },
  email: {
    ok: fc.constantFrom("ada@example.com"),
    bad: fc.oneof(badText, fc.constantFrom("not-an-email", "a@b", "@example.com", "a@@example.com", `${"a".repeat(320)}@example.com`)),
  },
  name: { ok: unicode, bad: fc.oneof(controlText, longText, wrongType, fc.constantFrom("", "   ", "x".repeat(201))) },
};

const redemptionFields = {
  points: { ok: fc.integer({ min: 1, max: 1_000 }), bad: badInt },
  referenceId: { ok: printableId, bad: badId },
  rewardId: { ok: fc.integer({ min: 1, max: 1_000 }), bad: badInt },
};

const holdFields = {
  points: { ok: fc.integer({ min: 1, max: 1_000 }), bad: badInt },
  referenceId: { ok: printableId, bad: badId },
  ttlSeconds: { ok: fc.constant(900), bad: fc.oneof(badInt, fc.constantFrom(0, 1, 10_000_000, 86_400 * 3650)) },
};
const captureFields = {
  points: { ok: fc.integer({ min: 1, max: 1_000 }), bad: badInt },
  referenceId: { ok: printableId, bad: badId },
};

const campaignFields = {
  name: { ok: unicode, bad: fc.oneof(controlText, longText, wrongType, fc.constantFrom("", "x".repeat(121))) },
  // "1.5" is a valid multiplier (text is accepted), so not among nanLike's bad ones.
  multiplier: {
    ok: fc.constantFrom("2", 1.5, "3"),
    bad: fc.oneof(
      nanLike.filter((v) => v !== "1.5"),
      fc.constantFrom("1", 1, 0, 11, "10.001", "2.555", -2),
      wrongType,
    ),
  },
  startsAt: {
    ok: fc.constant("2026-12-24T09:00"),
    bad: fc.oneof(badDate, fc.constantFrom("0000-01-01T00:00", "1999-12-31T23:59", "9999-12-31T23:59", "2050-01-01T00:00")),
  },
  endsAt: {
    ok: fc.constant("2026-12-26T09:00"),
    bad: fc.oneof(badDate, fc.constantFrom("0000-01-01T00:00", "9999-12-31T23:59", "+275760-09-13T00:00:00Z", "2099-01-01T00:00")),
  },
  timeZone: { ok: fc.constantFrom("UTC", "Europe/Paris"), bad: fc.oneof(badText, fc.constantFrom("Mars/Olympus", "UTC+25", "../../etc/passwd")) },
  eventTypes: {
    ok: fc.constant(["purchase"]),
    // [] is valid (every event type), so not wrongType's empty list.
    bad: fc.oneof(
      wrongType.filter((v) => !(Array.isArray(v) && v.length === 0)),
      fc.constant(["purchase", "nope"]),
      fc.array(fc.constant("purchase"), { minLength: 7, maxLength: 9 }),
    ),
  },
  tiers: { ok: fc.constant(["gold"]), bad: fc.oneof(fc.constant(["platinum"]), fc.constant("gold"), fc.array(controlText, { minLength: 1, maxLength: 2 })) },
};

// Earning rules and caps (issue 13).
const earningRuleFields = {
  name: { ok: unicode, bad: fc.oneof(controlText, longText, wrongType, fc.constantFrom("", "x".repeat(121))) },
  // Not wrongType's arrays: [] (every line) and short strings are valid SKU lists.
  skus: {
    ok: fc.constant(["SKU-1"]),
    bad: fc.oneof(
      wrongType.filter((v) => !Array.isArray(v)),
      fc.constant(["a b"]),
      fc.array(controlText, { minLength: 1, maxLength: 2 }),
    ),
  },
  pointsPerCurrencyUnit: { ok: fc.integer({ min: 0, max: 10 }), bad: fc.oneof(nanLike, wrongType, fc.constantFrom(-1, 0.5, 1001, 1e300)) },
  // null is "no minimum" (nullable by design), so not among the bad ones.
  minSpendCents: {
    ok: fc.constant(1_000),
    bad: fc.oneof(
      nanLike.filter((v) => v !== null),
      wrongType.filter((v) => v !== null),
      fc.constantFrom(-1, 0.5, 1e300),
    ),
  },
  startsAt: { ok: fc.constant(undefined), bad: fc.oneof(badDate, fc.constantFrom("0000-01-01T00:00:00Z", "1999-12-31T23:59:00Z", "2200-01-01T00:00:00Z")) },
};
const earningCapFields = {
  name: { ok: unicode, bad: fc.oneof(controlText, longText, wrongType, fc.constantFrom("", "x".repeat(121))) },
  endsAt: { ok: fc.constant(undefined), bad: fc.oneof(badDate, fc.constantFrom("0000-01-01T00:00:00Z", "2200-01-01T00:00:00Z")) },
};

const rewardFields = {
  name: { ok: unicode, bad: fc.oneof(controlText, longText, wrongType, fc.constantFrom("", "x".repeat(121))) },
  pointsCost: { ok: fc.integer({ min: 1, max: 1_000 }), bad: badInt },
  kind: { ok: fc.constant("item"), bad: fc.oneof(wrongType, fc.constantFrom("gift", "", "COUPON")) },
  codes: {
    ok: fc.constant(undefined),
    bad: fc.oneof(wrongType, fc.array(fc.oneof(controlText, fc.constantFrom("", "a b", "x".repeat(65))), { minLength: 1, maxLength: 3 })),
  },
  codePrefix: { ok: fc.constant(undefined), bad: fc.oneof(controlText, fc.constantFrom("a b", "x".repeat(17))) },
};

const externalIdParam = fc.oneof(controlText, fc.constantFrom("", "%", "a b", "x".repeat(201), "é", "..", "__proto__"), fc.string({ maxLength: 300 }));
const anyExternalId = fc.oneof(fc.constant(KNOWN_MEMBER), externalIdParam);
const idParam = fc.oneof(nanLike, fc.constantFrom("1e300", "99999999999999999999", "-5", "0", "abc", "__proto__"), controlText, fc.constant("999999"));
const badToken = fc.oneof(
  controlText,
  longText,
  fc.constantFrom("", "Bearer", "Bearer ", "Basic YWJj", "Bearer a b", "Bearer lk_nope"),
  fc.string({ maxLength: 50 }).map((s) => `Bearer ${s}`),
);
const noise = fc
  .array(fc.tuple(fc.oneof(protoKey, controlText, fc.string({ maxLength: 8 })), fc.oneof(controlText, longText, nanLike, farDay)), { maxLength: 3 })
  .map(toQuery);

const transactionsQuery = hostileQuery(
  ["limit", "cursor", "types", "from", "to", "extra"],
  fc.oneof(nanLike, badDate, controlText, longText, fc.constantFrom("0", "101", "1e3", "earn,,nope", "x".repeat(201))),
);

export const ROUTES: Record<string, RouteSpec> = {
  "api/v1/events/route.ts": { session: "none", auth: "api-key", expect: "refused", methods: { POST: body(hostileEvent).map((b) => ({ body: b })) } },
  "api/v1/events/batch/route.ts": {
    session: "none",
    auth: "api-key",
    expect: "batch",
    methods: {
      POST: fc.oneof(
        fc.array(hostileEvent, { minLength: 1, maxLength: 30 }).map((events) => ({ body: { events } })),
        badBody.map((b) => ({ body: b })),
        fc.constantFrom({ events: [] }, { events: {} }, { events: null }, { events: [{}], extra: 1 }).map((b) => ({ body: b })),
      ),
    },
  },
  "api/v1/members/route.ts": {
    session: "none",
    auth: "api-key",
    expect: "refused",
    methods: { POST: body(objectWithABadField(memberFields)).map((b) => ({ body: b })) },
  },
  "api/v1/members/[externalId]/route.ts": {
    session: "none",
    auth: "api-key",
    expect: "refused",
    methods: { GET: externalIdParam.map((externalId) => ({ params: { externalId } })) },
  },
  "api/v1/members/[externalId]/referral/route.ts": {
    session: "none",
    auth: "api-key",
    expect: "refused",
    methods: { GET: externalIdParam.map((externalId) => ({ params: { externalId } })) },
  },
  "api/v1/members/[externalId]/transactions/route.ts": {
    session: "none",
    auth: "api-key",
    expect: "refused",
    methods: {
      GET: fc.oneof(
        fc.tuple(anyExternalId, transactionsQuery).map(([externalId, q]) => ({ params: { externalId }, query: toQuery(q) })),
        externalIdParam.map((externalId) => ({ params: { externalId } })),
      ),
    },
  },
  "api/v1/members/[externalId]/redemptions/route.ts": {
    session: "none",
    auth: "api-key",
    expect: "refused",
    methods: {
      POST: fc.oneof(
        fc.tuple(fc.constant(KNOWN_MEMBER), body(objectWithABadField(redemptionFields))).map(([externalId, b]) => ({ params: { externalId }, body: b })),
        // A well-formed redemption for a member with no points, or for a member that cannot exist.
        fc
          .tuple(anyExternalId, fc.integer({ min: 1, max: 1_000 }), printableId)
          .map(([externalId, points, referenceId]) => ({ params: { externalId }, body: { points, referenceId } })),
      ),
    },
  },
  "api/v1/members/[externalId]/holds/route.ts": {
    session: "none",
    auth: "api-key",
    expect: "refused",
    methods: {
      POST: fc.oneof(
        fc.tuple(anyExternalId, body(objectWithABadField(holdFields))).map(([externalId, b]) => ({ params: { externalId }, body: b })),
        // A well-formed hold for a member with no points.
        fc
          .tuple(fc.integer({ min: 1, max: 1_000 }), printableId)
          .map(([points, referenceId]) => ({ params: { externalId: KNOWN_MEMBER }, body: { points, referenceId } })),
      ),
    },
  },
  "api/v1/members/[externalId]/transfers/route.ts": {
    session: "none",
    auth: "api-key",
    expect: "refused",
    methods: {
      POST: fc.oneof(
        fc
          .tuple(
            anyExternalId,
            body(
              objectWithABadField({
                toMemberExternalId: { ok: fc.constant("fuzz-nobody"), bad: badId },
                points: redemptionFields.points,
                referenceId: redemptionFields.referenceId,
              }),
            ),
          )
          .map(([externalId, b]) => ({ params: { externalId }, body: b })),
        // A well-formed transfer from a member with no points.
        fc
          .tuple(fc.integer({ min: 1, max: 1_000 }), printableId)
          .map(([points, referenceId]) => ({ params: { externalId: KNOWN_MEMBER }, body: { toMemberExternalId: KNOWN_MEMBER, points, referenceId } })),
      ),
    },
  },
  // Member privacy (issue 13): hostile ids are refused; a hostile erasure body never erases the known member.
  "api/v1/members/[externalId]/export/route.ts": {
    session: "none",
    auth: "api-key",
    expect: "refused",
    methods: { GET: externalIdParam.map((externalId) => ({ params: { externalId } })) },
  },
  "api/v1/members/[externalId]/erasure/route.ts": {
    session: "none",
    auth: "api-key",
    expect: "refused",
    methods: {
      POST: fc.oneof(
        fc
          .tuple(
            fc.constant(KNOWN_MEMBER),
            body(objectWithABadField({ reason: { ok: fc.constant("fuzz: erasure request"), bad: fc.oneof(badText, longText, wrongType) } })),
          )
          .map(([externalId, b]) => ({ params: { externalId }, body: b })),
        // A well-formed erasure of a member that cannot exist.
        externalIdParam.map((externalId) => ({ params: { externalId }, body: { reason: "fuzz: erasure request" } })),
      ),
    },
  },
  "api/v1/holds/[holdId]/capture/route.ts": {
    session: "none",
    auth: "api-key",
    expect: "refused",
    methods: { POST: fc.tuple(idParam, body(objectWithABadField(captureFields))).map(([holdId, b]) => ({ params: { holdId }, body: b })) },
  },
  "api/v1/holds/[holdId]/void/route.ts": {
    session: "none",
    auth: "api-key",
    expect: "refused",
    methods: { POST: fc.tuple(idParam, fc.jsonValue({ maxDepth: 2 })).map(([holdId, b]) => ({ params: { holdId }, body: b })) },
  },
  "api/v1/program/route.ts": {
    session: "none",
    auth: "api-key",
    expect: "refused",
    expectFor: { GET: "ignored" },
    methods: {
      GET: noise.map((query) => ({ query })),
      PATCH: body(
        objectWithABadField({
          // 0 is a fine value here (the return window off), so not among the bad ones.
          pendingDays: { ok: fc.integer({ min: 0, max: 30 }), bad: fc.oneof(nanLike, wrongType, controlText, fc.constantFrom(-1, 0.5, 100_000, 1e12, 1e300)) },
          holdTtlSeconds: { ok: fc.constant(900), bad: fc.oneof(badInt, fc.constantFrom(0, -5, 1e12)) },
        }),
      ).map((b) => ({ body: b })),
    },
  },
  "api/v1/earning-rules/route.ts": {
    session: "none",
    auth: "api-key",
    expect: "refused",
    expectFor: { GET: "ignored" },
    methods: {
      GET: noise.map((query) => ({ query })),
      POST: body(objectWithABadField(earningRuleFields)).map((b) => ({ body: b })),
    },
  },
  "api/v1/earning-rules/[id]/route.ts": {
    session: "none",
    auth: "api-key",
    expect: "refused",
    methods: {
      PATCH: fc.tuple(idParam, body(objectWithABadField(earningRuleFields))).map(([id, b]) => ({ params: { id }, body: b })),
      DELETE: idParam.map((id) => ({ params: { id } })),
    },
  },
  "api/v1/earning-rules/caps/[id]/route.ts": {
    session: "none",
    auth: "api-key",
    expect: "refused",
    methods: {
      PATCH: fc.tuple(idParam, body(objectWithABadField(earningCapFields))).map(([id, b]) => ({ params: { id }, body: b })),
      DELETE: idParam.map((id) => ({ params: { id } })),
    },
  },
  "api/v1/webhook-endpoints/route.ts": {
    session: "none",
    auth: "api-key",
    expect: "refused",
    expectFor: { GET: "ignored" },
    methods: {
      GET: noise.map((query) => ({ query })),
      POST: body(
        objectWithABadField({
          url: {
            ok: fc.constant("https://hooks.example.com/loyalty"),
            bad: fc.oneof(controlText, longText, fc.integer(), fc.constantFrom("not a url", "", "http://", "javascript:alert(1)")),
          },
          eventTypes: {
            ok: fc.constant(null),
            bad: fc.oneof(fc.constantFrom("all", ["nope"], ["__proto__"], {}, 42), fc.array(controlText, { minLength: 1, maxLength: 2 })),
          },
        }),
      ).map((b) => ({ body: b })),
    },
  },
  "api/v1/webhook-endpoints/[id]/route.ts": {
    session: "none",
    auth: "api-key",
    expect: "refused",
    methods: {
      GET: idParam.map((id) => ({ params: { id } })),
      PATCH: fc
        .tuple(
          idParam,
          body(
            objectWithABadField({
              enabled: { ok: fc.boolean(), bad: fc.constantFrom("yes", 1, 0, null, [], {}, "true") },
              eventTypes: { ok: fc.constant(null), bad: fc.constantFrom("all", ["nope"], {}, 42) },
            }),
          ),
        )
        .map(([id, b]) => ({ params: { id }, body: b })),
      DELETE: idParam.map((id) => ({ params: { id } })),
    },
  },
  "api/v1/campaigns/route.ts": {
    session: "none",
    auth: "api-key",
    expect: "refused",
    methods: {
      GET: hostileQuery(["pastCursor", "extra"], fc.oneof(nanLike, controlText, fc.constantFrom("1e300", "-1", "0", "99999999999999999999"))).map((q) => ({
        query: toQuery(q),
      })),
      POST: body(objectWithABadField(campaignFields)).map((b) => ({ body: b })),
    },
  },
  "api/v1/rewards/route.ts": {
    session: "none",
    auth: "api-key",
    expect: "refused",
    methods: {
      GET: hostileQuery(["cursor", "limit", "extra"], fc.oneof(nanLike, controlText, fc.constantFrom("1e300", "-1", "0", "99999999999999999999"))).map((q) => ({
        query: toQuery(q),
      })),
      POST: body(objectWithABadField(rewardFields)).map((b) => ({ body: b })),
    },
  },
  "api/v1/rewards/[id]/route.ts": {
    session: "none",
    auth: "api-key",
    expect: "refused",
    methods: {
      GET: idParam.map((id) => ({ params: { id } })),
      PATCH: fc.tuple(idParam, body(objectWithABadField(rewardFields))).map(([id, b]) => ({ params: { id }, body: b })),
    },
  },
  "api/v1/campaigns/[id]/route.ts": {
    session: "none",
    auth: "api-key",
    expect: "refused",
    methods: {
      GET: idParam.map((id) => ({ params: { id } })),
      PATCH: fc
        .tuple(idParam, body(fc.oneof(objectWithABadField(campaignFields), fc.constant({ action: "pause" }))))
        .map(([id, b]) => ({ params: { id }, body: b })),
    },
  },
  "api/auth/[...nextauth]/route.ts": {
    session: "none",
    expect: "auth",
    methods: {
      GET: fc
        .tuple(
          fc.oneof(
            fc.constantFrom("session", "csrf", "providers", "signin", "signout", "error", "callback/credentials", "verify-request", "nope", "__proto__"),
            controlText.map((s) => urlEncode(s)),
          ),
          noise,
        )
        .map(([action, query]) => ({ params: { nextauth: action }, query })),
      POST: fc
        .tuple(
          fc.constantFrom("callback/credentials", "signin/credentials", "signout", "session", "nope"),
          fc.oneof(controlText, longText, farDay),
          fc.oneof(controlText, longText),
        )
        .map(([action, email, password]) => ({
          params: { nextauth: action },
          body: new URLSearchParams({ email, password, csrfToken: "forged", callbackUrl: "/" }).toString(),
          headers: { "content-type": "application/x-www-form-urlencoded" },
        })),
    },
  },
  "api/cron/expire-points/route.ts": {
    session: "none",
    auth: "cron",
    expect: "refused",
    methods: { GET: badToken.map((t) => ({ headers: { authorization: t } })) },
  },
  "api/cron/expiry-reminders/route.ts": {
    session: "none",
    auth: "cron",
    expect: "refused",
    methods: { GET: badToken.map((t) => ({ headers: { authorization: t } })) },
  },
  "api/cron/ledger-snapshot/route.ts": {
    session: "none",
    auth: "cron",
    expect: "refused",
    methods: { GET: badToken.map((t) => ({ headers: { authorization: t } })) },
  },
  "api/cron/vest-points/route.ts": {
    session: "none",
    auth: "cron",
    expect: "refused",
    methods: { GET: badToken.map((t) => ({ headers: { authorization: t } })) },
  },
  "api/cron/expire-holds/route.ts": {
    session: "none",
    auth: "cron",
    expect: "refused",
    methods: { GET: badToken.map((t) => ({ headers: { authorization: t } })) },
  },
  "api/cron/prune-webhooks/route.ts": {
    session: "none",
    auth: "cron",
    expect: "refused",
    methods: { GET: badToken.map((t) => ({ headers: { authorization: t } })) },
  },
  "api/cron/recalculate-tiers/route.ts": {
    session: "none",
    auth: "cron",
    expect: "refused",
    methods: { GET: badToken.map((t) => ({ headers: { authorization: t } })) },
  },
  "api/metrics/route.ts": { session: "none", expect: "refused", methods: { GET: badToken.map((t) => ({ headers: { authorization: t } })) } },
  "api/ready/route.ts": { session: "none", expect: "ignored", methods: { GET: noise.map((query) => ({ query })) } },
  "api/health/route.ts": { session: "none", expect: "ignored", methods: { GET: noise.map((query) => ({ query })) } },
  "api/docs/route.ts": { session: "none", expect: "ignored", methods: { GET: noise.map((query) => ({ query })) } },
  "api/v1/openapi.json/route.ts": { session: "none", expect: "ignored", methods: { GET: noise.map((query) => ({ query })) } },
  "api/[...path]/route.ts": {
    session: "none",
    expect: "refused",
    methods: {
      GET: fc
        .array(fc.oneof(controlText, fc.string({ maxLength: 20 }), protoKey), { minLength: 1, maxLength: 4 })
        .map((path) => ({ params: {}, query: "", headers: { "x-fuzz-path": path.map((s) => urlEncode(s)).join("/") } })),
    },
  },
  "(auth)/verify-email/route.ts": {
    session: "member",
    expect: "redirect",
    methods: { GET: fc.oneof(controlText, longText, nanLike, fc.string({ maxLength: 80 })).map((token) => ({ query: toQuery([["token", token]]) })) },
  },
  "(staff)/staff/members/[externalId]/export/route.ts": {
    session: "admin",
    expect: "refused",
    methods: { GET: externalIdParam.map((externalId) => ({ params: { externalId: urlEncode(externalId) } })) },
  },
  "(portal)/my-data/route.ts": { session: "member", expect: "ignored", methods: { GET: noise.map((query) => ({ query })) } },
  "(staff)/staff/reports/export/route.ts": {
    session: "admin",
    expect: "refused",
    methods: {
      GET: fc
        .tuple(
          fc.constantFrom("flows", "liability", "tiers", "campaigns", "statement"),
          fc.subarray(["from", "to", "at", "member"], { minLength: 1 }),
          fc.oneof(farDay, controlText, longText),
          fc.oneof(controlText, longText, fc.constantFrom("a b", " ", "é")),
          fc.oneof(
            fc.constant(undefined),
            badText.filter((v): v is string => typeof v === "string"),
          ),
        )
        .map(([table, keys, day, member, badTable]) => ({
          query: toQuery([["table", badTable ?? table], ...keys.map((k) => [k, k === "member" ? member : day] as [string, unknown])]),
        })),
    },
  },
  "(staff)/staff/tiers/recalculate/route.ts": {
    session: "admin",
    expect: "refused",
    methods: {
      POST: fc
        .oneof(controlText, fc.constantFrom("null", "https://evil.example", "http://localhost:1", "file://", "x"))
        .map((origin) => ({ headers: { origin: origin.replace(/[^\x20-\x7e]/g, "?"), host: "localhost" } })),
    },
  },
};

export interface PageSpec {
  session: Session;
  params?: fc.Arbitrary<Record<string, string>>;
  /** Query-string keys the page reads; the fuzzer sends hostile values for them and for unknown keys. */
  searchKeys: string[];
}

const pageValue = fc.oneof(
  controlText,
  longText,
  nanLike,
  farDay,
  fc.constantFrom("__proto__", "constructor", "toString", "%", "%00", "../"),
  fc.array(controlText, { minLength: 2, maxLength: 3 }),
);

export const PAGES: Record<string, PageSpec> = {
  "(auth)/check-email/page.tsx": { session: "none", searchKeys: ["error"] },
  "(auth)/sign-in/page.tsx": { session: "none", searchKeys: ["callbackUrl", "notice"] },
  "(auth)/sign-up/page.tsx": { session: "none", searchKeys: ["ref"] },
  "(auth)/set-password/page.tsx": { session: "none", searchKeys: ["user", "token"] },
  "(auth)/forgot-password/page.tsx": { session: "none", searchKeys: [] },
  "(auth)/account/page.tsx": { session: "member", searchKeys: ["changed"] },
  "(staff)/staff/api-keys/page.tsx": { session: "admin", searchKeys: [] },
  "(staff)/staff/program/page.tsx": { session: "admin", searchKeys: [] },
  "(staff)/staff/earning-rules/page.tsx": { session: "admin", searchKeys: [] },
  "(staff)/staff/webhooks/page.tsx": { session: "admin", searchKeys: [] },
  "(staff)/staff/import/page.tsx": { session: "admin", searchKeys: [] },
  "(staff)/staff/accounts/page.tsx": { session: "admin", searchKeys: [] },
  "(portal)/page.tsx": { session: "member", searchKeys: [] },
  "(portal)/history/page.tsx": { session: "member", searchKeys: ["type", "from", "to", "cursor"] },
  "(portal)/notifications/page.tsx": { session: "member", searchKeys: ["cursor"] },
  "(portal)/redeem/page.tsx": { session: "member", searchKeys: [] },
  "(portal)/invite/page.tsx": { session: "member", searchKeys: [] },
  "(staff)/staff/page.tsx": { session: "admin", searchKeys: [] },
  "(staff)/staff/audit/page.tsx": { session: "admin", searchKeys: ["actor", "action", "member", "from", "to", "cursor"] },
  "(staff)/staff/campaigns/page.tsx": { session: "admin", searchKeys: ["past"] },
  "(staff)/staff/campaigns/[id]/page.tsx": { session: "admin", params: idParam.map((id) => ({ id })), searchKeys: [] },
  "(staff)/staff/dead-letters/page.tsx": { session: "admin", searchKeys: ["cursor"] },
  "(staff)/staff/members/page.tsx": { session: "admin", searchKeys: ["q", "cursor"] },
  "(staff)/staff/members/[externalId]/page.tsx": {
    session: "admin",
    params: anyExternalId.map((externalId) => ({ externalId: urlEncode(externalId) })),
    searchKeys: ["cursor", "audit"],
  },
  "(staff)/staff/reports/page.tsx": { session: "admin", searchKeys: ["granularity", "from", "to", "at"] },
  "(staff)/staff/rewards/page.tsx": { session: "admin", searchKeys: ["cursor"] },
  "(staff)/staff/rewards/[id]/page.tsx": { session: "admin", params: idParam.map((id) => ({ id })), searchKeys: [] },
  "(staff)/staff/tiers/page.tsx": { session: "admin", searchKeys: [] },
};

export function pageSearch(keys: string[]): fc.Arbitrary<Record<string, string | string[]>> {
  return fc
    .tuple(fc.subarray(keys), fc.array(fc.tuple(fc.oneof(protoKey, controlText), pageValue), { maxLength: 2 }), pageValue)
    .map(([chosen, extra, value]) => {
      const out: Record<string, string | string[]> = {};
      for (const k of chosen) out[k] = value;
      for (const [k, v] of extra) Object.defineProperty(out, k, { value: v, enumerable: true, configurable: true, writable: true });
      return out;
    });
}

export interface ActionSpec {
  session: Session;
  /** Hostile form fields; null: the action takes no input (listed, not fuzzed). */
  form: fc.Arbitrary<[string, string][]> | null;
  /** "state": returns a form state that must be an error with a message; "void": returns nothing or redirects. */
  returns: "state" | "void";
}

/** What a form field holds, for its hostile and its plausible values. */
type Kind = "id" | "int" | "money" | "text" | "date" | "window" | "enum" | "email" | "secret" | "url";

/** FormData turns a lone surrogate into U+FFFD (a fine character), so forms get a NUL in its place. */
const formControlText = controlText.map((s) => s.replace(/\p{Cs}/gu, "\u0000"));

/** Values no field of the kind accepts. */
const BAD: Record<Kind, fc.Arbitrary<string>> = {
  id: fc.oneof(fc.constantFrom("NaN", "1e300", "-1", "0", "1.5", "abc", "99999999999999999999", "0x10", " ", "9007199254740993"), formControlText),
  int: fc.oneof(fc.constantFrom("1e300", "NaN", "1.5", "99999999999999", "abc", "--5", "0x10", "Infinity"), formControlText),
  money: fc.oneof(fc.constantFrom("1e300", "-5", "abc", "99999999999999.999", "NaN", "1.234", "Infinity"), formControlText),
  text: fc.oneof(formControlText, longText),
  date: fc.oneof(
    fc.constantFrom(
      "0000-01-01T00:00",
      "0000-01-01T00:00:00Z",
      "0001-01-01T00:00:00+14:00",
      "+275760-09-13T00:00",
      "1969-12-31T23:59",
      "2026-02-30T00:00",
      "yesterday",
    ),
    formControlText,
  ),
  /** A campaign window's end: also refused 10 years out. */
  window: fc.oneof(fc.constantFrom("0000-01-01T00:00", "9999-12-31T23:59", "2099-01-01T00:00", "+275760-09-13T00:00", "2026-02-30T00:00"), formControlText),
  enum: fc.oneof(fc.constantFrom("__proto__", "constructor", "toString", "nope", "GOLD"), formControlText),
  email: fc.oneof(fc.constantFrom("not-an-email", "a@b", "@example.com", `${"a".repeat(300)}@example.com`), formControlText),
  secret: fc.oneof(longText, fc.constantFrom("", "short")),
  url: fc.oneof(fc.constantFrom("javascript:alert(1)", "http://", "//evil.example/x", "/a b"), formControlText, longText),
};
/** Values a real form could carry; no id names a row that exists (ids here start at 900000). */
const PLAUSIBLE: Record<Kind, fc.Arbitrary<string>> = {
  id: fc.constantFrom("900001", "900002"),
  int: fc.constantFrom("5", "120", "-200"),
  money: fc.constantFrom("80.00", "500", "0.50"),
  text: fc.oneof(fc.constantFrom("goodwill", "Ada", "ref-fuzz-1"), unicode),
  date: fc.constantFrom("2026-12-24T09:00", "2027-01-02T09:00"),
  window: fc.constantFrom("2026-12-24T09:00", "2027-01-02T09:00"),
  enum: fc.constantFrom("purchase", "gold", "points", "reward", "on", "true", "pause"),
  email: fc.constantFrom("fuzz-nobody@example.com"),
  secret: fc.constantFrom("correct horse battery staple"),
  url: fc.constantFrom("/img/mug.png", "https://cdn.example.com/mug.png"),
};

/**
 * Form fields: at least one with a value its kind refuses, the others plausible or left out, plus
 * odd extra keys; so the hostile value is met past the first check, yet nothing valid goes through.
 */
function hostileForm(fields: Record<string, Kind>): fc.Arbitrary<[string, string][]> {
  const names = Object.keys(fields);
  return fc
    .tuple(
      // Half the time every field is there, so that the hostile one is what the parse meets.
      fc.oneof(fc.constant(names), fc.subarray(names, { minLength: 1 })),
      fc.record(Object.fromEntries(names.map((n) => [n, PLAUSIBLE[fields[n]!]]))),
      fc.record(Object.fromEntries(names.map((n) => [n, BAD[fields[n]!]]))),
      fc.nat(),
      fc.oneof(
        fc.constant([]),
        fc.array(
          fc.tuple(
            fc.oneof(
              protoKey,
              controlText.map((s) => s.replace(/\p{Cs}/gu, "?")),
            ),
            fc.oneof(controlText, nanLike),
          ),
          { maxLength: 2 },
        ),
      ),
    )
    .map(([present, ok, bad, pick, extra]) => {
      const hostile = present[pick % present.length]!;
      return [...present.map((n) => [n, n === hostile ? bad[n]! : ok[n]!] as [string, string]), ...extra];
    });
}

export const ACTIONS: Record<string, Record<string, ActionSpec>> = {
  "(auth)/check-email/resend-action.ts": { resendAction: { session: "none", form: null, returns: "state" } },
  "(auth)/sign-in/oidc-sign-in-action.ts": { oidcSignInAction: { session: "none", form: hostileForm({ callbackUrl: "text" }), returns: "void" } },
  "(auth)/sign-in/sign-in-action.ts": {
    signInAction: { session: "none", form: hostileForm({ email: "email", password: "secret", callbackUrl: "text" }), returns: "state" },
  },
  "(auth)/sign-out-action.ts": { signOutAction: { session: "none", form: null, returns: "void" } },
  "(auth)/sign-up/sign-up-action.ts": {
    signUpAction: { session: "none", form: hostileForm({ name: "text", email: "email", password: "secret", referralCode: "text" }), returns: "state" },
  },
  "(auth)/set-password/set-password-action.ts": {
    setPasswordAction: { session: "none", form: hostileForm({ user: "id", token: "text", password: "secret", confirm: "secret" }), returns: "state" },
  },
  "(staff)/staff/accounts/actions.ts": {
    addStaffAction: { session: "admin", form: hostileForm({ email: "email", name: "text", roles: "enum", reason: "text" }), returns: "state" },
    saveStaffRolesAction: { session: "admin", form: hostileForm({ userId: "id", roles: "enum", reason: "text" }), returns: "state" },
    newPasswordLinkAction: { session: "admin", form: hostileForm({ userId: "id" }), returns: "state" },
  },
  "(auth)/account/account-actions.ts": {
    changePasswordAction: { session: "member", form: hostileForm({ currentPassword: "secret", newPassword: "secret", confirm: "secret" }), returns: "state" },
    signOutEverywhereAction: { session: "member", form: null, returns: "void" },
    // "start" would begin a real enrolment (a fine request): only the code-checking intents, with a bad code.
    twoFactorAction: {
      session: "member",
      form: fc
        .tuple(fc.constantFrom("confirm", "disable"), fc.oneof(formControlText, longText, fc.constantFrom("000000", "12345", "abcdef", "1e300", "-1")))
        .map(
          ([intent, code]) =>
            [
              ["intent", intent],
              ["code", code],
            ] as [string, string][],
        ),
      returns: "state",
    },
  },
  "(auth)/forgot-password/forgot-password-action.ts": { forgotPasswordAction: { session: "none", form: hostileForm({ email: "email" }), returns: "state" } },
  "(staff)/staff/api-keys/actions.ts": {
    createApiKeyAction: { session: "admin", form: hostileForm({ name: "text", scopes: "enum", rateLimit: "int", expiresIn: "text" }), returns: "state" },
    rotateApiKeyAction: { session: "admin", form: hostileForm({ id: "id", grace: "text" }), returns: "state" },
    revokeApiKeyAction: { session: "admin", form: hostileForm({ id: "id" }), returns: "state" },
  },
  "(staff)/staff/earning-rules/actions.ts": {
    createRuleAction: {
      session: "admin",
      form: hostileForm({
        name: "text",
        skus: "text",
        categories: "text",
        channels: "text",
        pointsPerCurrencyUnit: "int",
        bonusPoints: "int",
        minSpend: "money",
        startsAt: "text",
        endsAt: "text",
        reason: "text",
      }),
      returns: "state",
    },
    createCapAction: {
      session: "admin",
      form: hostileForm({ name: "text", limit: "text", eventType: "text", max: "int", period: "text", reason: "text" }),
      returns: "state",
    },
    previewRuleAction: { session: "admin", form: hostileForm({ items: "text", amount: "money", channel: "text", tier: "text", at: "date" }), returns: "state" },
    retireRuleAction: { session: "admin", form: hostileForm({ id: "id", kind: "text", reason: "text" }), returns: "state" },
  },
  "(staff)/staff/program/actions.ts": {
    programAction: {
      session: "admin",
      form: hostileForm({
        pendingDays: "int",
        holdTtlSeconds: "int",
        tierQualificationMonths: "int",
        tierGraceDays: "int",
        referrerRewardPoints: "int",
        referralMonthlyLimit: "int",
        earnMultiplier_gold: "text",
        benefits_gold: "text",
        reason: "text",
      }),
      returns: "state",
    },
  },
  "(staff)/staff/webhooks/actions.ts": {
    redeliverWebhookAction: { session: "admin", form: hostileForm({ id: "id" }), returns: "state" },
    createWebhookEndpointAction: { session: "admin", form: hostileForm({ url: "url", eventTypes: "enum" }), returns: "state" },
  },
  "(staff)/staff/import/actions.ts": {
    importOpeningBalancesAction: { session: "admin", form: hostileForm({ csv: "text", reason: "text", dryRun: "text" }), returns: "state" },
  },
  "(portal)/check-in-action.ts": { checkInAction: { session: "none", form: null, returns: "state" } },
  "(portal)/notifications/mark-read-action.ts": { markReadAction: { session: "member", form: hostileForm({ notificationId: "id" }), returns: "void" } },
  "(portal)/redeem/redeem-action.ts": {
    redeemAction: { session: "member", form: hostileForm({ mode: "enum", points: "int", rewardId: "id", idempotencyKey: "text" }), returns: "state" },
  },
  "(staff)/staff/campaigns/actions.ts": {
    createCampaignAction: {
      session: "admin",
      form: hostileForm({ name: "text", multiplier: "money", startsAt: "window", endsAt: "window", timeZone: "enum", eventTypes: "enum", tiers: "enum" }),
      returns: "state",
    },
    editCampaignAction: {
      session: "admin",
      form: hostileForm({ id: "id", name: "text", multiplier: "money", startsAt: "window", endsAt: "window", timeZone: "enum" }),
      returns: "state",
    },
    campaignStateAction: { session: "admin", form: hostileForm({ id: "id", action: "enum" }), returns: "state" },
    previewCampaignAction: { session: "admin", form: hostileForm({ amount: "money", timeZone: "text", at: "date", tier: "enum" }), returns: "state" },
  },
  "(staff)/staff/members/actions.ts": {
    adjustPointsAction: {
      session: "admin",
      form: hostileForm({ memberId: "id", externalId: "text", points: "int", reason: "text", referenceId: "text", allowNegativeBalance: "text" }),
      returns: "state",
    },
    reverseTransactionAction: { session: "admin", form: hostileForm({ memberId: "id", transactionId: "id", reason: "text" }), returns: "state" },
    approveAdjustmentAction: { session: "admin", form: hostileForm({ requestId: "id" }), returns: "state" },
    rejectAdjustmentAction: { session: "admin", form: hostileForm({ requestId: "id", reason: "text" }), returns: "state" },
  },
  "(staff)/staff/members/erase-action.ts": {
    eraseMemberAction: { session: "admin", form: hostileForm({ memberId: "id", reason: "text", confirm: "text" }), returns: "state" },
  },
  "(staff)/staff/rewards/actions.ts": {
    createRewardAction: {
      session: "admin",
      form: hostileForm({
        name: "text",
        description: "text",
        pointsCost: "int",
        stock: "int",
        imageUrl: "url",
        startsAt: "date",
        endsAt: "date",
        active: "text",
      }),
      returns: "state",
    },
    updateRewardAction: {
      session: "admin",
      form: hostileForm({ id: "id", name: "text", description: "text", pointsCost: "int", stock: "int", imageUrl: "url", startsAt: "date", endsAt: "date" }),
      returns: "state",
    },
    toggleRewardAction: { session: "admin", form: hostileForm({ id: "id", active: "text" }), returns: "state" },
    addCouponCodesAction: { session: "admin", form: hostileForm({ id: "id", codes: "text" }), returns: "state" },
  },
  "(staff)/staff/tiers/actions.ts": {
    tiersAction: {
      session: "admin",
      form: hostileForm({
        "bronze.minSpend": "money",
        "silver.minSpend": "money",
        "gold.minSpend": "money",
        "silver.earnMultiplier": "money",
        "gold.earnMultiplier": "money",
        intent: "text",
      }),
      returns: "state",
    },
  },
};
