import { OpenAPIRegistry, OpenApiGeneratorV31 } from "@asteasolutions/zod-to-openapi";
import type { OpenAPIObject } from "openapi3-ts/oas31";
import { z } from "zod";
import {
  batchRequestDocSchema,
  batchResponseSchema,
  createMemberSchema,
  errorSchema,
  eventResultSchema,
  referralLinkSchema,
  eventSchema,
  memberParamsSchema,
  memberSchema,
  memberSummarySchema,
  holdCaptureRequestSchema,
  holdCaptureSchema,
  holdParamsSchema,
  holdRequestSchema,
  holdSchema,
  redemptionRequestSchema,
  redemptionResultSchema,
  transferRequestSchema,
  transferResultSchema,
  transactionPageSchema,
  transactionsQuerySchema,
} from "@/lib/http/schemas";
import type { ApiScope } from "@/lib/loyalty/access/api-keys";
import { programChangeSchema } from "@/lib/loyalty/program/change-program-settings";

const catalogRewardSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    description: z.string(),
    pointsCost: z.number().int(),
    kind: z.enum(["item", "coupon"]),
    stock: z.number().int().nullable().meta({ description: "Items: null = unlimited" }),
    active: z.boolean(),
    startsAt: z.string().nullable(),
    endsAt: z.string().nullable(),
    poolSize: z.number().int().nullable().meta({ description: "Coupons: codes left in the pool" }),
    codePrefix: z.string().nullable(),
  })
  .meta({ id: "Reward" });

const rewardWriteSchema = z
  .object({
    name: z.string().max(120),
    pointsCost: z.number().int().min(1),
    kind: z.enum(["item", "coupon"]).optional(),
    codes: z.array(z.string().max(64)).max(10_000).optional().meta({ description: "Coupons: codes to add to the pool" }),
    codePrefix: z.string().max(16).optional(),
    stock: z.number().int().min(0).nullable().optional(),
    active: z.boolean().optional(),
    description: z.string().max(2000).optional(),
  })
  .meta({ id: "RewardWrite" });

const programViewSchema = z
  .object({
    pendingDays: z.number().int().meta({ description: "Return window in days: a purchase's points are pending until it closes (0 = off)" }),
    holdTtlSeconds: z.number().int().meta({ description: "How long a checkout hold lasts when its request names no ttlSeconds" }),
    transferMaxPoints: z.number().int().meta({ description: "Most points one transfer between members may move (0 = off)" }),
    transferDailyMaxPoints: z.number().int().meta({ description: "Most points one member may transfer away over a rolling 24 hours" }),
    expiryMonths: z.number().int(),
    pointsPerCurrencyUnit: z.number().int(),
    tierQualificationMonths: z.number().int().meta({ description: "Tier qualification period: the rolling spend window of the tiers, in UTC calendar months" }),
    tierGraceDays: z.number().int().meta({ description: "Days a member below their tier's threshold keeps it before dropping one step (0 = off)" }),
    tiers: z.array(
      z.object({
        code: z.enum(["bronze", "silver", "gold"]),
        name: z.string(),
        minSpend12m: z.number().int(),
        earnMultiplier: z.number().meta({ description: "The tier bonus on purchase points, combined with the best campaign by multiplication" }),
        benefits: z.array(z.string()),
      }),
    ),
  })
  .meta({ id: "Program" });
import { extraApiPaths } from "./extra-paths";

type RouteConfig = Parameters<OpenAPIRegistry["registerPath"]>[0];

const json = (schema: z.ZodType, description: string) => ({ description, content: { "application/json": { schema } } });
const error = (description: string) => json(errorSchema, description);

/** Responses every authenticated operation can give. */
export const commonErrors = {
  400: error("Malformed JSON or a field that fails validation (`field` names it)"),
  401: error("Missing, invalid, expired or revoked API key"),
  403: error("The API key lacks the scope this operation needs"),
  413: error("The request body is too large"),
  429: error("rate_limited: the API key's requests per second are spent; retry after `Retry-After` seconds"),
  500: error("Unexpected error (details are in the server log only)"),
};

const bodylessErrors = { 400: commonErrors[400], 401: commonErrors[401], 403: commonErrors[403], 429: commonErrors[429], 500: commonErrors[500] };

/** Registers an operation that needs an API key with `scope`. */
export function registerApiPath(registry: OpenAPIRegistry, scope: ApiScope, config: RouteConfig): void {
  registry.registerPath({
    ...config,
    security: [{ apiKey: [] }],
    description: [config.description, `Requires the API key scope \`${scope}\`.`].filter(Boolean).join("\n\n"),
    responses: { ...(config.method === "get" ? bodylessErrors : commonErrors), ...config.responses },
    "x-required-scope": scope,
  } as RouteConfig);
}

function registerCorePaths(registry: OpenAPIRegistry): void {
  registerApiPath(registry, "members:write", {
    method: "post",
    path: "/api/v1/members",
    operationId: "createMember",
    summary: "Create a member (idempotent on externalId)",
    request: { body: { required: true, content: { "application/json": { schema: createMemberSchema } } } },
    responses: {
      201: json(memberSchema, "Created"),
      200: json(memberSchema, "A member with this externalId already existed"),
      422: error("referralCode names no member (nothing is created)"),
    },
  });
  registerApiPath(registry, "members:read", {
    method: "get",
    path: "/api/v1/members/{externalId}",
    operationId: "getMember",
    summary: "A member's balance, tier and points expiring soon",
    request: { params: memberParamsSchema },
    responses: { 200: json(memberSummarySchema, "The member"), 404: error("Unknown member") },
  });
  registerApiPath(registry, "events:write", {
    method: "post",
    path: "/api/v1/events",
    operationId: "recordEvent",
    summary: "Record one event (purchase, refund, referral, review, login)",
    request: { body: { required: true, content: { "application/json": { schema: eventSchema } } } },
    responses: {
      201: json(eventResultSchema, "Recorded"),
      200: json(eventResultSchema, "Replay of a recorded referenceId: the first result, duplicate: true"),
      404: error("Unknown member"),
      409: error(
        "reference_conflict: the referenceId was used for another member; idempotency_conflict: it was used with another payload (field names what differs)",
      ),
      422: error("A refund whose original purchase is unknown or already fully refunded"),
    },
  });
  registerApiPath(registry, "events:write", {
    method: "post",
    path: "/api/v1/events/batch",
    operationId: "recordEventBatch",
    summary: "Record up to 1,000 events; each gets its own status",
    request: { body: { required: true, content: { "application/json": { schema: batchRequestDocSchema } } } },
    responses: { 200: json(batchResponseSchema, "One result per event, in order") },
  });
  registerApiPath(registry, "redemptions:write", {
    method: "post",
    path: "/api/v1/members/{externalId}/redemptions",
    operationId: "redeemPoints",
    summary: "Redeem points or a reward (oldest unexpired points first)",
    request: {
      params: memberParamsSchema,
      body: { required: true, content: { "application/json": { schema: redemptionRequestSchema } } },
    },
    responses: {
      201: json(redemptionResultSchema, "Redeemed"),
      200: json(redemptionResultSchema, "Replay of a recorded referenceId: the first result, duplicate: true"),
      404: error("Unknown member (member_not_found) or reward (reward_not_found)"),
      409: error(
        "insufficient_points, out_of_stock, reference_conflict (the referenceId was used for another member) or idempotency_conflict (it was used with other points or reward)",
      ),
      422: error("reward_unavailable: the reward is inactive or outside its availability window"),
    },
  });
  registerApiPath(registry, "redemptions:write", {
    method: "post",
    path: "/api/v1/members/{externalId}/holds",
    operationId: "createHold",
    summary: "Hold points at checkout (reserve now, capture at payment)",
    request: {
      params: memberParamsSchema,
      body: { required: true, content: { "application/json": { schema: holdRequestSchema } } },
    },
    responses: {
      201: json(holdSchema, "Held until expiresAt: not available to redemptions or other holds"),
      200: json(holdSchema, "Replay of a recorded referenceId: the first hold as it is now, duplicate: true"),
      404: error("Unknown member (member_not_found)"),
      409: error("insufficient_points (fewer points can be held until expiresAt), reference_conflict or idempotency_conflict"),
    },
  });
  registerApiPath(registry, "redemptions:write", {
    method: "post",
    path: "/api/v1/holds/{holdId}/capture",
    operationId: "captureHold",
    summary: "Capture a hold as a redemption of at most its points; the rest is released",
    request: {
      params: holdParamsSchema,
      body: { required: true, content: { "application/json": { schema: holdCaptureRequestSchema } } },
    },
    responses: {
      201: json(holdCaptureSchema, "Captured"),
      200: json(holdCaptureSchema, "Replay of the capture (same referenceId and points): duplicate: true"),
      404: error("Unknown hold (hold_not_found)"),
      409: error(
        "hold_expired; conflict (voided, or captured under another referenceId); insufficient_points (a refund or reversal took held points); idempotency_conflict",
      ),
    },
  });
  registerApiPath(registry, "redemptions:write", {
    method: "post",
    path: "/api/v1/holds/{holdId}/void",
    operationId: "voidHold",
    summary: "Release a hold's points",
    request: { params: holdParamsSchema },
    responses: {
      200: json(holdSchema, "Voided (duplicate: true when it already was)"),
      404: error("Unknown hold (hold_not_found)"),
      409: error("conflict: the hold was captured"),
    },
  });
  registerApiPath(registry, "redemptions:write", {
    method: "post",
    path: "/api/v1/members/{externalId}/transfers",
    operationId: "transferPoints",
    summary: "Transfer redeemable points to another member (both sides in one transaction; the points keep their expiry)",
    request: {
      params: memberParamsSchema,
      body: { required: true, content: { "application/json": { schema: transferRequestSchema } } },
    },
    responses: {
      201: json(transferResultSchema, "Transferred"),
      200: json(transferResultSchema, "Replay of a recorded referenceId: the first result, duplicate: true"),
      404: error("Unknown sender or receiver (member_not_found; field names which)"),
      409: error("insufficient_points, reference_conflict or idempotency_conflict"),
      422: error("limit_exceeded (per transfer or per 24 hours, programme settings), or a transfer to oneself"),
    },
  });
  registerApiPath(registry, "rewards:read", {
    method: "get",
    path: "/api/v1/rewards",
    operationId: "listRewards",
    summary: "The reward catalog, newest first (coupons with the codes left in their pool)",
    request: { query: z.object({ cursor: z.string().optional(), limit: z.string().optional() }) },
    responses: { 200: json(z.object({ items: z.array(catalogRewardSchema), nextCursor: z.string().nullable() }), "A page of rewards") },
  });
  registerApiPath(registry, "rewards:write", {
    method: "post",
    path: "/api/v1/rewards",
    operationId: "createReward",
    summary: "Create a reward: an item, or a coupon with its first codes (`codes`) or a `codePrefix` to generate them",
    request: { body: { required: true, content: { "application/json": { schema: rewardWriteSchema } } } },
    responses: { 201: json(catalogRewardSchema, "Created") },
  });
  registerApiPath(registry, "rewards:read", {
    method: "get",
    path: "/api/v1/rewards/{id}",
    operationId: "getReward",
    summary: "One reward",
    request: { params: z.object({ id: z.string() }) },
    responses: { 200: json(catalogRewardSchema, "The reward"), 404: error("reward_not_found") },
  });
  registerApiPath(registry, "rewards:write", {
    method: "patch",
    path: "/api/v1/rewards/{id}",
    operationId: "changeReward",
    summary: "Change a reward (the fields given; its kind never changes) and add codes to a coupon's pool",
    request: { params: z.object({ id: z.string() }), body: { required: true, content: { "application/json": { schema: rewardWriteSchema.partial() } } } },
    responses: { 200: json(catalogRewardSchema, "The reward after the change"), 404: error("reward_not_found") },
  });
  registerApiPath(registry, "program:write", {
    method: "get",
    path: "/api/v1/program",
    operationId: "getProgram",
    summary: "The checkout settings: return window (pendingDays) and default hold length",
    responses: { 200: json(programViewSchema, "The settings") },
  });
  registerApiPath(registry, "program:write", {
    method: "patch",
    path: "/api/v1/program",
    operationId: "changeProgram",
    summary: "Change the checkout settings (audited); a new return window applies to purchases recorded from then on",
    request: { body: { required: true, content: { "application/json": { schema: programChangeSchema } } } },
    responses: { 200: json(programViewSchema, "The settings after the change") },
  });
  registerApiPath(registry, "members:read", {
    method: "get",
    path: "/api/v1/members/{externalId}/referral",
    operationId: "getReferralLink",
    summary: "The member's referral code and link (the code is made the first time it is asked for)",
    request: { params: memberParamsSchema },
    responses: { 200: json(referralLinkSchema, "The code and the link"), 404: error("Unknown member") },
  });
  registerApiPath(registry, "members:read", {
    method: "get",
    path: "/api/v1/members/{externalId}/transactions",
    operationId: "listTransactions",
    summary: "A member's ledger, newest first, keyset-paginated",
    request: { params: memberParamsSchema, query: transactionsQuerySchema },
    responses: { 200: json(transactionPageSchema, "A page; pass nextCursor back as cursor for the next"), 404: error("Unknown member") },
  });
}

/** The whole OpenAPI 3.1 document of the v1 API. */
export function buildOpenApiDocument(): OpenAPIObject {
  const registry = new OpenAPIRegistry();
  registry.registerComponent("securitySchemes", "apiKey", {
    type: "http",
    scheme: "bearer",
    description: "An API key (`/staff/api-keys`, or `npm run cli -- api-key create --name NAME --scopes a,b [--rate-limit R] [--expires-in 90d]`)",
  });
  registerCorePaths(registry);
  for (const register of extraApiPaths) register(registry);
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: "3.1.0",
    info: {
      title: "Loyalty points API",
      version: "1.0.0",
      description: "Feed purchases and other events into the points ledger, read balances, redeem points.",
    },
    servers: [{ url: "/" }],
  });
}
