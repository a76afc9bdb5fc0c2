import { apiRoute } from "@/lib/http/api-route";
import { BATCH_BODY_LIMIT, readJsonBody } from "@/lib/http/read-json";
import { json } from "@/lib/http/responses";
import { batchRequestSchema, type batchItemSchema } from "@/lib/http/schemas";
import { describeZodError, parseInput } from "@/lib/http/validate";
import { eventResultView } from "@/lib/http/views";
import { recordEvents } from "@/lib/loyalty/accrual/record-events";
import { loyaltyEventSchema, type LoyaltyEvent } from "@/lib/loyalty/accrual/event-input";
import type { z } from "zod";
import { otherMethods } from "@/lib/http/methods";

type BatchItem = z.input<typeof batchItemSchema>;

/**
 * Up to 1,000 events. Each is validated on its own: an invalid one gets its 400 in place and the
 * valid ones are recorded together, each answering 201, 200 (duplicate) or its own error.
 */
export const POST = apiRoute("events:write", async ({ request, db, actor, now }) => {
  const { events } = parseInput(batchRequestSchema, await readJsonBody(request, BATCH_BODY_LIMIT, { checkText: false }));
  const items: BatchItem[] = new Array(events.length);
  const valid: LoyaltyEvent[] = [];
  const validIndexes: number[] = [];
  events.forEach((raw, index) => {
    const parsed = loyaltyEventSchema.safeParse(raw);
    if (parsed.success) {
      valid.push(parsed.data);
      validIndexes.push(index);
    } else {
      items[index] = { index, status: 400, error: { error: "validation_failed", ...describeZodError(parsed.error) } };
    }
  });

  const results = valid.length > 0 ? await recordEvents(db, valid, { now, actor }) : [];
  results.forEach((outcome, k) => {
    const index = validIndexes[k]!;
    items[index] = outcome.ok
      ? { index, status: outcome.status as 200 | 201, result: eventResultView(outcome.result) }
      : { index, status: outcome.status, error: outcome.error };
  });

  const created = items.filter((i) => i.status === 201).length;
  const duplicates = items.filter((i) => i.status === 200).length;
  return json({ results: items, summary: { created, duplicates, failed: items.length - created - duplicates } });
});

// Other methods answer 405 method_not_allowed (JSON, with Allow), not Next.js's empty 405.
export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods("POST");
