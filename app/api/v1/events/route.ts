import { subscribeCacheInvalidation } from "@/lib/cache/invalidation";
import { apiRoute } from "@/lib/http/api-route";
import { readJsonBody } from "@/lib/http/read-json";
import { json } from "@/lib/http/responses";
import { parseInput } from "@/lib/http/validate";
import { eventResultView } from "@/lib/http/views";
import { loyaltyEventSchema } from "@/lib/loyalty/accrual/event-input";
import { recordEventGrouped } from "@/lib/loyalty/accrual/group-commit";
import { otherMethods } from "@/lib/http/methods";

/**
 * 201 for a new event; 200 with the first result and duplicate: true for a replayed referenceId.
 * Concurrent requests are committed together (group commit); the ledger reads its own clock so
 * that requests of one key can share a transaction.
 */
export const POST = apiRoute("events:write", async ({ request, db, actor }) => {
  const event = parseInput(loyaltyEventSchema, await readJsonBody(request));
  // A fallback for a server started without instrumentation.ts (the domain's group committer does
  // not know the cache): the commit below must drop the member's cached reads.
  subscribeCacheInvalidation();
  const outcome = await recordEventGrouped(db, event, { actor });
  return outcome.ok ? json(eventResultView(outcome.result), outcome.status) : json(outcome.error, outcome.status);
});

// Other methods answer 405 method_not_allowed (JSON, with Allow), not Next.js's empty 405.
export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods("POST");
