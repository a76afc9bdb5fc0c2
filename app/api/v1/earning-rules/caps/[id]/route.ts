import { z } from "zod";
import { apiRoute } from "@/lib/http/api-route";
import { otherMethods } from "@/lib/http/methods";
import { readJsonBody } from "@/lib/http/read-json";
import { json } from "@/lib/http/responses";
import { parseInput } from "@/lib/http/validate";
import { apiActor } from "@/lib/loyalty/access/api-actor";
import { changeEarningCap, retireEarningCap } from "@/lib/loyalty/program/earning-rules";

export const dynamic = "force-dynamic";

const paramsSchema = z.object({
  id: z
    .string()
    .regex(/^[1-9][0-9]{0,15}$/, "must be an earning cap id")
    .transform(Number),
});

const optionalBody = async (request: Request) => (request.headers.get("content-length") === "0" || !request.body ? {} : readJsonBody(request));

/** 200 the cap with its name or end changed, audited. */
export const PATCH = apiRoute<{ id: string }>("program:write", async ({ db, apiKey, request, now }, params) => {
  const { id } = parseInput(paramsSchema, params);
  return json(await changeEarningCap(db, id, await readJsonBody(request), { actor: apiActor(apiKey), now }));
});

/** Retires the cap; again, the same answer. */
export const DELETE = apiRoute<{ id: string }>("program:write", async ({ db, apiKey, request, now }, params) => {
  const { id } = parseInput(paramsSchema, params);
  return json(await retireEarningCap(db, id, await optionalBody(request), { actor: apiActor(apiKey), now }));
});

// Other methods answer 405 method_not_allowed (JSON, with Allow), not Next.js's empty 405.
export const { GET, POST, PUT, OPTIONS } = otherMethods("PATCH", "DELETE");
