import { API_SCOPES, type ApiScope } from "@/lib/loyalty/access/api-keys";

/**
 * Who may reach what: ONE table of every page, server action and route handler under app/, each
 * with the principals allowed. Everyone else is refused. test/security/access-matrix.test.ts
 * lists the targets from the file system and asserts every cell; a target missing here fails it.
 *
 * Principals: the signed-in kinds (anonymous, a member, one account per staff role) for every
 * target, plus, for routes under /api, an API key per scope (lib/loyalty/access/api-keys.ts API_SCOPES),
 * the cron bearer (CRON_SECRET) and the metrics token (METRICS_TOKEN).
 */

export const SESSION_PRINCIPALS = ["anonymous", "member", "marketing", "support", "admin"] as const;
export type SessionPrincipal = (typeof SESSION_PRINCIPALS)[number];
export type KeyPrincipal = `key:${ApiScope}`;
export const KEY_PRINCIPALS = API_SCOPES.map((s) => `key:${s}` as KeyPrincipal);
export const BEARER_PRINCIPALS = [...KEY_PRINCIPALS, "cron", "metrics"] as const;
export type BearerPrincipal = KeyPrincipal | "cron" | "metrics";
export type Principal = SessionPrincipal | BearerPrincipal;

/** The principals a target is tried with: bearer tokens only on /api routes. */
export function principalsFor(kind: "page" | "action" | "route", file: string): Principal[] {
  return kind === "route" && file.startsWith("api/") ? [...SESSION_PRINCIPALS, ...BEARER_PRINCIPALS] : [...SESSION_PRINCIPALS];
}

/** "everyone": a public target (refusing nobody for who they are); otherwise the allowed principals. */
export type Allow = "everyone" | readonly Principal[];

const SIGNED_IN: readonly Principal[] = ["member", "marketing", "support", "admin"];
const STAFF: readonly Principal[] = ["marketing", "support", "admin"];
const MARKETING: readonly Principal[] = ["marketing", "admin"];
const SUPPORT: readonly Principal[] = ["support", "admin"];
const ADMIN: readonly Principal[] = ["admin"];
const MEMBER: readonly Principal[] = ["member"];
const key = (...scopes: ApiScope[]): Principal[] => scopes.map((s) => `key:${s}` as const);

/** What the matrix set up, for building well-formed requests: a refusal must be for who, not for what. */
export interface Fixtures {
  /** A member with points (not linked to any principal). */
  memberExternalId: string;
  memberId: number;
  /** An earn transaction of that member, to reverse. */
  transactionId: number;
  campaignId: number;
  rewardId: number;
  /** Pending adjustment requests made by a support agent who is not a principal. */
  approveRequestId: number;
  rejectRequestId: number;
  /** A notification of the member principal's own member. */
  notificationId: number;
  /** A staff account (marketing) that is not a principal, for the accounts page's forms. */
  staffUserId: string;
  /** API keys no principal uses, for the API key page's rotate and revoke. */
  rotateKeyId: number;
  revokeKeyId: number;
  /** A fresh number per call, for unique names and references. */
  n(): number;
}

type Form = Record<string, string | string[]>;

export interface PageCell {
  allow: Allow;
  params?: (fx: Fixtures) => Record<string, string>;
  search?: (fx: Fixtures) => Record<string, string>;
}

export interface ActionCell {
  allow: Allow;
  /** A well-formed form, so that a refusal can only be about the principal. */
  form?: (fx: Fixtures) => Form;
  /** "state": (previous state, form) → form state; "void": (form) → nothing (or a redirect). */
  returns: "state" | "void";
  /** What an allowed call answers when that is not "no refusal" (sign-out everywhere redirects to sign-in). */
  allowedOutcome?: RegExp;
}

export interface RouteRequest {
  query?: string;
  body?: unknown;
  headers?: Record<string, string>;
  params?: Record<string, string | string[]>;
}

export interface RouteCell {
  allow: Allow;
  /** A name when one method has several cases (the export route's tables). */
  name?: string;
  request?: (fx: Fixtures) => RouteRequest;
}

export type RouteMethodName = "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS";

/**
 * The methods a route really serves. Any other exported method must answer 405
 * `method_not_allowed` (OPTIONS: 204) to every principal: the test checks that, so a new real
 * handler that is not listed here fails it.
 */
export type RouteRow = Partial<Record<RouteMethodName, RouteCell | RouteCell[]>>;

const future = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 16);

export const PAGES: Record<string, PageCell> = {
  "(auth)/check-email/page.tsx": { allow: "everyone" },
  "(auth)/set-password/page.tsx": { allow: "everyone" },
  "(auth)/sign-in/page.tsx": { allow: "everyone" },
  "(auth)/sign-up/page.tsx": { allow: "everyone" },
  "(auth)/forgot-password/page.tsx": { allow: "everyone" },
  "(auth)/account/page.tsx": { allow: SIGNED_IN },
  "(portal)/page.tsx": { allow: MEMBER },
  "(portal)/history/page.tsx": { allow: MEMBER },
  "(portal)/notifications/page.tsx": { allow: MEMBER },
  "(portal)/redeem/page.tsx": { allow: MEMBER },
  "(portal)/invite/page.tsx": { allow: MEMBER },
  "(staff)/staff/page.tsx": { allow: STAFF },
  "(staff)/staff/accounts/page.tsx": { allow: ADMIN },
  "(staff)/staff/api-keys/page.tsx": { allow: ADMIN },
  "(staff)/staff/audit/page.tsx": { allow: ADMIN },
  "(staff)/staff/campaigns/page.tsx": { allow: MARKETING },
  "(staff)/staff/campaigns/[id]/page.tsx": { allow: MARKETING, params: (fx) => ({ id: String(fx.campaignId) }) },
  "(staff)/staff/dead-letters/page.tsx": { allow: ADMIN },
  "(staff)/staff/members/page.tsx": { allow: SUPPORT, search: (fx) => ({ q: fx.memberExternalId }) },
  "(staff)/staff/members/[externalId]/page.tsx": { allow: SUPPORT, params: (fx) => ({ externalId: fx.memberExternalId }) },
  "(staff)/staff/reports/page.tsx": { allow: ADMIN },
  "(staff)/staff/rewards/page.tsx": { allow: MARKETING },
  "(staff)/staff/rewards/[id]/page.tsx": { allow: MARKETING, params: (fx) => ({ id: String(fx.rewardId) }) },
  "(staff)/staff/tiers/page.tsx": { allow: MARKETING },
  "(staff)/staff/program/page.tsx": { allow: MARKETING },
  "(staff)/staff/earning-rules/page.tsx": { allow: MARKETING },
  "(staff)/staff/webhooks/page.tsx": { allow: ADMIN },
  "(staff)/staff/import/page.tsx": { allow: ADMIN },
};

const campaignForm = (fx: Fixtures): Form => ({
  name: `Matrix campaign ${fx.n()}`,
  multiplier: "2",
  startsAt: future(10),
  endsAt: future(12),
  timeZone: "UTC",
  eventTypes: ["purchase"],
});
const rewardForm = (fx: Fixtures): Form => ({ name: `Matrix reward ${fx.n()}`, description: "A mug", pointsCost: "100", stock: "5", active: "on" });

export const ACTIONS: Record<string, Record<string, ActionCell>> = {
  "(auth)/check-email/resend-action.ts": { resendAction: { allow: SIGNED_IN, returns: "state" } },
  "(auth)/account/account-actions.ts": {
    changePasswordAction: {
      allow: SIGNED_IN,
      returns: "state",
      form: () => ({ currentPassword: "not the current password", newPassword: "a brand new passphrase", confirm: "a brand new passphrase" }),
    },
    signOutEverywhereAction: { allow: SIGNED_IN, returns: "void", allowedOutcome: /^redirect:\/sign-in/ },
    twoFactorAction: { allow: SIGNED_IN, returns: "state", form: () => ({ intent: "confirm", code: "000000" }) },
  },
  "(auth)/forgot-password/forgot-password-action.ts": {
    forgotPasswordAction: { allow: "everyone", returns: "state", form: () => ({ email: "matrix-admin@example.com" }) },
  },
  "(auth)/set-password/set-password-action.ts": {
    setPasswordAction: {
      allow: "everyone",
      returns: "state",
      form: (fx) => ({ user: fx.staffUserId, token: "a".repeat(43), password: "correct horse battery staple", confirm: "correct horse battery staple" }),
    },
  },
  "(auth)/sign-in/oidc-sign-in-action.ts": { oidcSignInAction: { allow: "everyone", returns: "void", form: () => ({ callbackUrl: "/" }) } },
  "(auth)/sign-in/sign-in-action.ts": {
    signInAction: {
      allow: "everyone",
      returns: "state",
      form: (fx) => ({ email: `nobody-${fx.n()}@example.com`, password: "not the password at all", callbackUrl: "/" }),
    },
  },
  "(auth)/sign-out-action.ts": { signOutAction: { allow: "everyone", returns: "void" } },
  "(auth)/sign-up/sign-up-action.ts": {
    signUpAction: {
      allow: "everyone",
      returns: "state",
      form: (fx) => ({ name: "Ada", email: `matrix-${fx.n()}@example.com`, password: "correct horse battery staple" }),
    },
  },
  "(portal)/check-in-action.ts": { checkInAction: { allow: MEMBER, returns: "state" } },
  "(portal)/notifications/mark-read-action.ts": {
    markReadAction: { allow: MEMBER, returns: "void", form: (fx) => ({ notificationId: String(fx.notificationId) }) },
  },
  "(portal)/redeem/redeem-action.ts": {
    redeemAction: { allow: MEMBER, returns: "state", form: (fx) => ({ mode: "points", points: "10", idempotencyKey: `matrix-${fx.n()}` }) },
  },
  "(staff)/staff/accounts/actions.ts": {
    addStaffAction: {
      allow: ADMIN,
      returns: "state",
      form: (fx) => ({ email: `staff-${fx.n()}@example.com`, name: "New Staff", roles: ["support"], reason: "Matrix: new hire" }),
    },
    saveStaffRolesAction: {
      allow: ADMIN,
      returns: "state",
      form: (fx) => ({ userId: fx.staffUserId, roles: ["marketing", "support"], reason: "Matrix: also support" }),
    },
    newPasswordLinkAction: { allow: ADMIN, returns: "state", form: (fx) => ({ userId: fx.staffUserId }) },
  },
  "(staff)/staff/api-keys/actions.ts": {
    createApiKeyAction: {
      allow: ADMIN,
      returns: "state",
      form: (fx) => ({ name: `matrix-page-${fx.n()}`, scopes: ["events:write"], rateLimit: "", expiresIn: "90d" }),
    },
    rotateApiKeyAction: { allow: ADMIN, returns: "state", form: (fx) => ({ id: String(fx.rotateKeyId), grace: "" }) },
    revokeApiKeyAction: { allow: ADMIN, returns: "state", form: (fx) => ({ id: String(fx.revokeKeyId) }) },
  },
  "(staff)/staff/campaigns/actions.ts": {
    createCampaignAction: { allow: MARKETING, returns: "state", form: campaignForm },
    editCampaignAction: { allow: MARKETING, returns: "state", form: (fx) => ({ ...campaignForm(fx), id: String(fx.campaignId) }) },
    campaignStateAction: { allow: MARKETING, returns: "state", form: (fx) => ({ id: String(fx.campaignId), action: "pause" }) },
    previewCampaignAction: {
      allow: MARKETING,
      returns: "state",
      form: () => ({ amount: "80.00", timeZone: "UTC", at: new Date().toISOString(), tier: "bronze" }),
    },
  },
  "(staff)/staff/members/actions.ts": {
    adjustPointsAction: {
      allow: SUPPORT,
      returns: "state",
      form: (fx) => ({
        memberId: String(fx.memberId),
        externalId: fx.memberExternalId,
        points: "5",
        reason: "Matrix goodwill",
        referenceId: `matrix-adj-${fx.n()}`,
      }),
    },
    reverseTransactionAction: {
      allow: SUPPORT,
      returns: "state",
      form: (fx) => ({ memberId: String(fx.memberId), transactionId: String(fx.transactionId), reason: "Matrix reversal" }),
    },
    approveAdjustmentAction: { allow: ADMIN, returns: "state", form: (fx) => ({ requestId: String(fx.approveRequestId) }) },
    rejectAdjustmentAction: { allow: ADMIN, returns: "state", form: (fx) => ({ requestId: String(fx.rejectRequestId), reason: "Matrix: no" }) },
  },
  // Member erasure (issue 13): a member that does not exist is "not found" to an admin, still not a
  // refusal, and no fixture is erased.
  "(staff)/staff/members/erase-action.ts": {
    eraseMemberAction: { allow: ADMIN, returns: "state", form: () => ({ memberId: "999999", reason: "Matrix: erasure request", confirm: "on" }) },
  },
  "(staff)/staff/rewards/actions.ts": {
    createRewardAction: { allow: MARKETING, returns: "state", form: rewardForm },
    updateRewardAction: { allow: MARKETING, returns: "state", form: (fx) => ({ ...rewardForm(fx), id: String(fx.rewardId) }) },
    toggleRewardAction: { allow: MARKETING, returns: "state", form: (fx) => ({ id: String(fx.rewardId), active: "false" }) },
    // An item takes no codes: a validation message to an allowed role, still not a refusal.
    addCouponCodesAction: { allow: MARKETING, returns: "state", form: (fx) => ({ id: String(fx.rewardId), codes: "MATRIX-1" }) },
  },
  // A delivery that does not exist is "not found" to an admin, still not a refusal.
  "(staff)/staff/webhooks/actions.ts": {
    redeliverWebhookAction: { allow: ADMIN, returns: "state", form: () => ({ id: "999999" }) },
    createWebhookEndpointAction: { allow: ADMIN, returns: "state", form: (fx) => ({ url: `https://hooks.example/matrix-form-${fx.n()}` }) },
  },
  // A dry run of one well-formed line: an admin gets the report, nothing is written.
  "(staff)/staff/import/actions.ts": {
    importOpeningBalancesAction: {
      allow: ADMIN,
      returns: "state",
      form: (fx) => ({
        csv: `externalId,points,earnedAt,expiresAt,reference\n${fx.memberExternalId},5,2026-01-01,,matrix-import-${fx.n()}`,
        reason: "Matrix import",
        dryRun: "on",
      }),
    },
  },
  // Earning rules (issue 13): retiring a rule that does not exist is "not found" to marketing, still not a refusal.
  "(staff)/staff/earning-rules/actions.ts": {
    createRuleAction: {
      allow: MARKETING,
      returns: "state",
      form: (fx) => ({ name: `Matrix rule ${fx.n()}`, skus: "MATRIX-SKU", bonusPoints: "1", reason: "Matrix" }),
    },
    createCapAction: {
      allow: MARKETING,
      returns: "state",
      form: (fx) => ({ name: `Matrix cap ${fx.n()}`, limit: "awards", eventType: "review", max: "1000", period: "day" }),
    },
    previewRuleAction: { allow: MARKETING, returns: "state", form: () => ({ items: "MATRIX-SKU, shoes, 1, 80.00", channel: "web", tier: "bronze" }) },
    retireRuleAction: { allow: MARKETING, returns: "state", form: () => ({ id: "999999", kind: "rule", reason: "Matrix" }) },
  },
  "(staff)/staff/program/actions.ts": {
    programAction: { allow: MARKETING, returns: "state", form: () => ({ pendingDays: "14", holdTtlSeconds: "900", reason: "Matrix: program settings" }) },
  },
  "(staff)/staff/tiers/actions.ts": {
    tiersAction: {
      allow: MARKETING,
      returns: "state",
      form: () => ({
        "bronze.minSpend": "0.00",
        "silver.minSpend": "500.00",
        "gold.minSpend": "2000.00",
        "bronze.earnMultiplier": "1",
        "silver.earnMultiplier": "1.25",
        "gold.earnMultiplier": "1.5",
        intent: "preview",
      }),
    },
  },
};

const json = (body: unknown) => ({ body, headers: { "content-type": "application/json" } });
const event = (fx: Fixtures) => ({ type: "purchase", memberExternalId: fx.memberExternalId, referenceId: `matrix-order-${fx.n()}`, amountCents: 1000 });
const campaignBody = (fx: Fixtures) => ({
  name: `API campaign ${fx.n()}`,
  multiplier: "2",
  startsAt: new Date(Date.now() + 10 * 86_400_000).toISOString(),
  endsAt: new Date(Date.now() + 12 * 86_400_000).toISOString(),
});
const everyMethod = (cell: RouteCell): RouteRow => ({ GET: cell, POST: cell, PUT: cell, PATCH: cell, DELETE: cell, OPTIONS: cell });
const exportOf = (table: string, allow: Allow, extra = ""): RouteCell => ({ name: table, allow, request: () => ({ query: `table=${table}${extra}` }) });

export const ROUTES: Record<string, RouteRow> = {
  "api/v1/events/route.ts": { POST: { allow: key("events:write"), request: (fx) => json(event(fx)) } },
  "api/v1/events/batch/route.ts": { POST: { allow: key("events:write"), request: (fx) => json({ events: [event(fx), event(fx)] }) } },
  "api/v1/members/route.ts": { POST: { allow: key("members:write"), request: (fx) => json({ externalId: `matrix-api-${fx.n()}`, name: "API Member" }) } },
  "api/v1/members/[externalId]/route.ts": { GET: { allow: key("members:read"), request: (fx) => ({ params: { externalId: fx.memberExternalId } }) } },
  // Referral codes (issue 13): the fixture member's code and link (made on the first allowed read).
  "api/v1/members/[externalId]/referral/route.ts": { GET: { allow: key("members:read"), request: (fx) => ({ params: { externalId: fx.memberExternalId } }) } },
  "api/v1/members/[externalId]/transactions/route.ts": {
    GET: { allow: key("members:read"), request: (fx) => ({ params: { externalId: fx.memberExternalId }, query: "limit=5" }) },
  },
  "api/v1/members/[externalId]/redemptions/route.ts": {
    POST: {
      allow: key("redemptions:write"),
      request: (fx) => ({ params: { externalId: fx.memberExternalId }, ...json({ points: 10, referenceId: `matrix-redeem-${fx.n()}` }) }),
    },
  },
  // Checkout holds (issue 12): a hold that does not exist is 404 to an allowed key, still not a refusal.
  "api/v1/members/[externalId]/holds/route.ts": {
    POST: {
      allow: key("redemptions:write"),
      request: (fx) => ({ params: { externalId: fx.memberExternalId }, ...json({ points: 10, referenceId: `matrix-hold-${fx.n()}` }) }),
    },
  },
  "api/v1/holds/[holdId]/capture/route.ts": { POST: { allow: key("redemptions:write"), request: () => ({ params: { holdId: "999999" }, ...json({}) }) } },
  "api/v1/holds/[holdId]/void/route.ts": { POST: { allow: key("redemptions:write"), request: () => ({ params: { holdId: "999999" } }) } },
  // Points transfers between members (issue 12).
  "api/v1/members/[externalId]/transfers/route.ts": {
    POST: {
      allow: key("redemptions:write"),
      request: (fx) => ({
        params: { externalId: fx.memberExternalId },
        ...json({ toMemberExternalId: "matrix-nobody", points: 10, referenceId: `matrix-transfer-${fx.n()}` }),
      }),
    },
  },
  // Member privacy (issue 13): the export reads the fixture member; the erasure names nobody (404 to an allowed key).
  "api/v1/members/[externalId]/export/route.ts": { GET: { allow: key("members:export"), request: (fx) => ({ params: { externalId: fx.memberExternalId } }) } },
  "api/v1/members/[externalId]/erasure/route.ts": {
    POST: { allow: key("members:erase"), request: () => ({ params: { externalId: "matrix-nobody" }, ...json({ reason: "Matrix: erasure request" }) }) },
  },
  "(staff)/staff/members/[externalId]/export/route.ts": { GET: { allow: SUPPORT, request: (fx) => ({ params: { externalId: fx.memberExternalId } }) } },
  // "Download my data": every signed-in account gets its own member's data (staff may be members
  // too: the check-email resend action enrols them); an account without a member has nothing to
  // download (404, not a refusal), so the row does not depend on which cells ran before.
  "(portal)/my-data/route.ts": { GET: { allow: SIGNED_IN } },
  "api/v1/program/route.ts": { GET: { allow: key("program:write") }, PATCH: { allow: key("program:write"), request: () => json({ pendingDays: 14 }) } },
  // Earning rules and caps (issue 13): a rule or cap that does not exist is 404 to an allowed key, still not a refusal.
  "api/v1/earning-rules/route.ts": {
    GET: { allow: key("program:write") },
    POST: { allow: key("program:write"), request: (fx) => json({ name: `Matrix rule ${fx.n()}`, skus: ["MATRIX"], bonusPoints: 1 }) },
  },
  "api/v1/earning-rules/[id]/route.ts": {
    PATCH: { allow: key("program:write"), request: () => ({ params: { id: "999999" }, ...json({ name: "Matrix" }) }) },
    DELETE: { allow: key("program:write"), request: () => ({ params: { id: "999999" } }) },
  },
  "api/v1/earning-rules/caps/[id]/route.ts": {
    PATCH: { allow: key("program:write"), request: () => ({ params: { id: "999999" }, ...json({ name: "Matrix" }) }) },
    DELETE: { allow: key("program:write"), request: () => ({ params: { id: "999999" } }) },
  },
  // Webhook endpoints: an endpoint that does not exist is 404 to an allowed key, still not a refusal.
  "api/v1/webhook-endpoints/route.ts": {
    GET: { allow: key("webhooks:write") },
    POST: { allow: key("webhooks:write"), request: (fx) => json({ url: `https://hooks.example/matrix-${fx.n()}`, eventTypes: ["points.earned"] }) },
  },
  "api/v1/webhook-endpoints/[id]/route.ts": {
    GET: { allow: key("webhooks:write"), request: () => ({ params: { id: "999999" } }) },
    PATCH: { allow: key("webhooks:write"), request: () => ({ params: { id: "999999" }, ...json({ active: false }) }) },
    DELETE: { allow: key("webhooks:write"), request: () => ({ params: { id: "999999" } }) },
  },
  // The rewards catalog (issue 12).
  "api/v1/rewards/route.ts": {
    GET: { allow: key("rewards:read") },
    POST: { allow: key("rewards:write"), request: (fx) => json({ name: `Matrix reward ${fx.n()}`, pointsCost: 10 }) },
  },
  "api/v1/rewards/[id]/route.ts": {
    GET: { allow: key("rewards:read"), request: (fx) => ({ params: { id: String(fx.rewardId) } }) },
    PATCH: { allow: key("rewards:write"), request: (fx) => ({ params: { id: String(fx.rewardId) }, ...json({ pointsCost: 11 }) }) },
  },
  "api/v1/campaigns/route.ts": {
    GET: { allow: key("campaigns:read") },
    POST: { allow: key("campaigns:write"), request: (fx) => json(campaignBody(fx)) },
  },
  "api/v1/campaigns/[id]/route.ts": {
    GET: { allow: key("campaigns:read"), request: (fx) => ({ params: { id: String(fx.campaignId) } }) },
    PATCH: { allow: key("campaigns:write"), request: (fx) => ({ params: { id: String(fx.campaignId) }, ...json({ name: `Renamed ${fx.n()}` }) }) },
  },
  "api/v1/openapi.json/route.ts": { GET: { allow: "everyone" } },
  "api/docs/route.ts": { GET: { allow: "everyone" } },
  "api/health/route.ts": { GET: { allow: "everyone" } },
  "api/ready/route.ts": { GET: { allow: "everyone" } },
  "api/metrics/route.ts": { GET: { allow: ["metrics"] } },
  "api/cron/expire-points/route.ts": { GET: { allow: ["cron"] } },
  "api/cron/expiry-reminders/route.ts": { GET: { allow: ["cron"] } },
  "api/cron/ledger-snapshot/route.ts": { GET: { allow: ["cron"] } },
  "api/cron/recalculate-tiers/route.ts": { GET: { allow: ["cron"] } },
  "api/cron/vest-points/route.ts": { GET: { allow: ["cron"] } },
  "api/cron/expire-holds/route.ts": { GET: { allow: ["cron"] } },
  "api/cron/prune-webhooks/route.ts": { GET: { allow: ["cron"] } },
  // Auth.js's own endpoints: public by nature (the session, the CSRF token, the providers).
  "api/auth/[...nextauth]/route.ts": {
    GET: { allow: "everyone", request: () => ({ params: { nextauth: ["session"] } }) },
    POST: {
      allow: "everyone",
      request: () => ({ params: { nextauth: ["signout"] }, body: "csrfToken=forged", headers: { "content-type": "application/x-www-form-urlencoded" } }),
    },
  },
  // Any other path under /api: a typed 404 for everyone.
  "api/[...path]/route.ts": everyMethod({ allow: "everyone", request: () => ({ params: { path: ["nope"] } }) }),
  // The emailed member link: only for a signed-in account (a bad token is then refused as bad).
  "(auth)/verify-email/route.ts": { GET: { allow: SIGNED_IN, request: () => ({ query: "token=not-a-real-token" }) } },
  "(staff)/staff/reports/export/route.ts": {
    GET: [
      exportOf("flows", ADMIN),
      exportOf("liability", ADMIN),
      exportOf("tiers", ADMIN),
      exportOf("campaigns", ADMIN),
      { name: "statement", allow: SUPPORT, request: (fx) => ({ query: `table=statement&member=${encodeURIComponent(fx.memberExternalId)}` }) },
    ],
  },
  "(staff)/staff/tiers/recalculate/route.ts": { POST: { allow: MARKETING, request: () => ({ headers: { origin: "http://localhost", host: "localhost" } }) } },
};
