import { apiRoute } from "@/lib/http/api-route";
import { otherMethods } from "@/lib/http/methods";
import { readJsonBody } from "@/lib/http/read-json";
import { json } from "@/lib/http/responses";
import { apiActor } from "@/lib/loyalty/access/api-actor";
import { isCapInput } from "@/lib/loyalty/program/earning-rule-input";
import { createEarningCap, createEarningRule, listEarningRules } from "@/lib/loyalty/program/earning-rules";

export const dynamic = "force-dynamic";

/** Every earning rule and cap, oldest first, with its status: `{rules, caps}`. */
export const GET = apiRoute("program:write", async ({ db, apiKey, now }) => json(await listEarningRules(db, apiActor(apiKey), now)));

/**
 * 201 the new rule, or the new cap when the body names a `period` (docs/ledger.md, Earning rules
 * and caps); audited. 400 validation_failed / 422 unprocessable naming the field, nothing written.
 */
export const POST = apiRoute("program:write", async ({ db, apiKey, request, now }) => {
  const body = await readJsonBody(request);
  const ctx = { actor: apiActor(apiKey), now };
  return json(isCapInput(body) ? await createEarningCap(db, body, ctx) : await createEarningRule(db, body, ctx), 201);
});

// Other methods answer 405 method_not_allowed (JSON, with Allow), not Next.js's empty 405.
export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET", "POST");
