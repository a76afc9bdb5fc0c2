import { apiRoute } from "@/lib/http/api-route";
import { otherMethods } from "@/lib/http/methods";
import { readJsonBody } from "@/lib/http/read-json";
import { json } from "@/lib/http/responses";
import { apiActor } from "@/lib/loyalty/access/api-actor";
import { changeProgramSettings, getProgramView } from "@/lib/loyalty/program/change-program-settings";

export const dynamic = "force-dynamic";

/** The checkout settings: pendingDays (return window, 0 = off) and holdTtlSeconds, with the expiry they feed. */
export const GET = apiRoute("program:write", async ({ db, apiKey }) => json(await getProgramView(db, apiActor(apiKey))));

/** 200 the settings after the change (audited); 400 validation_failed naming the field. */
export const PATCH = apiRoute("program:write", async ({ db, apiKey, request }) =>
  json(await changeProgramSettings(db, apiActor(apiKey), await readJsonBody(request))),
);

// Other methods answer 405 method_not_allowed (JSON, with Allow), not Next.js's empty 405.
export const { POST, PUT, DELETE, OPTIONS } = otherMethods("GET", "PATCH");
