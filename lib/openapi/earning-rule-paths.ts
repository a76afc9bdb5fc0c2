import type { OpenAPIRegistry } from "@asteasolutions/zod-to-openapi";
import { z } from "zod";
import { errorSchema } from "@/lib/http/schemas";
import {
  earningCapFieldsSchema,
  earningCapPatchSchema,
  earningRuleFieldsSchema,
  earningRulePatchSchema,
  retireSchema,
} from "@/lib/loyalty/program/earning-rule-input";
import { registerApiPath } from "./document";

const json = (schema: z.ZodType, description: string) => ({ description, content: { "application/json": { schema } } });
const status = z.enum(["scheduled", "active", "ended", "retired"]);
const instant = z.iso.datetime({ offset: true });

const earningRuleSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    skus: z.array(z.string()),
    categories: z.array(z.string()),
    channels: z.array(z.string()),
    minSpendCents: z.number().int().nullable(),
    pointsPerCurrencyUnit: z.number().int().nullable().meta({ description: "Rate of the matching lines instead of the programme's; 0 excludes them" }),
    bonusPoints: z.number().int().nullable().meta({ description: "Fixed points once per purchase with a matching line, not multiplied" }),
    startsAt: instant,
    endsAt: instant.nullable(),
    retiredAt: instant.nullable(),
    status,
  })
  .meta({ id: "EarningRule" });

const earningCapSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    eventType: z.string().nullable(),
    maxAwardsPerMember: z.number().int().nullable(),
    maxPoints: z.number().int().nullable(),
    period: z.enum(["day", "week", "month"]),
    startsAt: instant,
    endsAt: instant.nullable(),
    retiredAt: instant.nullable(),
    status,
  })
  .meta({ id: "EarningCap" });

const idParams = z.object({ id: z.string().meta({ example: "12" }) });
const body = (schema: z.ZodType) => ({ body: { required: true, content: { "application/json": { schema } } } });

/** Earning rules and caps (docs/ledger.md, "Earning rules and caps"). */
export function registerEarningRulePaths(registry: OpenAPIRegistry): void {
  registerApiPath(registry, "program:write", {
    method: "get",
    path: "/api/v1/earning-rules",
    operationId: "listEarningRules",
    summary: "Every earning rule and cap with its status",
    responses: { 200: json(z.object({ rules: z.array(earningRuleSchema), caps: z.array(earningCapSchema) }), "Rules and caps, oldest first") },
  });
  registerApiPath(registry, "program:write", {
    method: "post",
    path: "/api/v1/earning-rules",
    operationId: "createEarningRule",
    summary: "Create an earning rule, or a cap (a body with `period`), audited",
    description:
      "A rule sets the rate of the lines of its SKUs or categories (or of every line) and/or gives a fixed bonus, under a channel, a minimum spend and a window. " +
      "A cap limits the awards of an event type (`maxAwardsPerMember`) or the points (`maxPoints`, of one event type or all) per member per UTC day, ISO week or month.",
    request: { body: { required: true, content: { "application/json": { schema: z.union([earningRuleFieldsSchema, earningCapFieldsSchema]) } } } },
    responses: {
      201: json(z.union([earningRuleSchema, earningCapSchema]), "The rule or cap"),
      422: json(errorSchema, "unprocessable: a window in the past or ending before it starts"),
    },
  });
  registerApiPath(registry, "program:write", {
    method: "patch",
    path: "/api/v1/earning-rules/{id}",
    operationId: "changeEarningRule",
    summary: "Change a rule: any field before it starts, only name and endsAt once in force (audited)",
    request: { params: idParams, ...body(earningRulePatchSchema) },
    responses: { 200: json(earningRuleSchema, "The rule"), 404: json(errorSchema, "No such rule"), 409: json(errorSchema, "conflict: retired") },
  });
  registerApiPath(registry, "program:write", {
    method: "delete",
    path: "/api/v1/earning-rules/{id}",
    operationId: "retireEarningRule",
    summary: "Retire a rule (optional body `{reason}`); again answers the same",
    request: { params: idParams, body: { required: false, content: { "application/json": { schema: retireSchema } } } },
    responses: { 200: json(earningRuleSchema, "The retired rule"), 404: json(errorSchema, "No such rule") },
  });
  registerApiPath(registry, "program:write", {
    method: "patch",
    path: "/api/v1/earning-rules/caps/{id}",
    operationId: "changeEarningCap",
    summary: "Change a cap's name or end (audited)",
    request: { params: idParams, ...body(earningCapPatchSchema) },
    responses: { 200: json(earningCapSchema, "The cap"), 404: json(errorSchema, "No such cap"), 409: json(errorSchema, "conflict: retired") },
  });
  registerApiPath(registry, "program:write", {
    method: "delete",
    path: "/api/v1/earning-rules/caps/{id}",
    operationId: "retireEarningCap",
    summary: "Retire a cap (optional body `{reason}`); again answers the same",
    request: { params: idParams, body: { required: false, content: { "application/json": { schema: retireSchema } } } },
    responses: { 200: json(earningCapSchema, "The retired cap"), 404: json(errorSchema, "No such cap") },
  });
}
