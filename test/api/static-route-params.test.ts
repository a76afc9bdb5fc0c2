import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as postEvent } from "@/app/api/v1/events/route";
import { ensureMember } from "@/lib/loyalty/members/ensure-member";
import { createApiHarness, type ApiHarness } from "./api-harness";

/**
 * `next start` calls a static route (no [segment]) with params resolving to undefined, not {} as
 * the harness passes: the route wrapper's metrics label read them after its try, so every
 * POST /api/v1/events of the built app answered 500 (found by `npm run chaos`).
 */
describe("a static route called as Next.js calls it", () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await createApiHarness();
    await ensureMember(h.t.db, { externalId: "static-1" });
  });
  afterAll(() => h.close());

  it("answers the event, not 500, when params resolve to undefined", async () => {
    const request = new Request("http://localhost/api/v1/events", {
      method: "POST",
      headers: { authorization: `Bearer ${h.key}`, "content-type": "application/json" },
      body: JSON.stringify({ type: "purchase", memberExternalId: "static-1", referenceId: "static-o1", amountCents: 1_000 }),
    });
    const response = await postEvent(request, { params: Promise.resolve(undefined as never) });
    expect(response.status).toBe(201);
    expect(((await response.json()) as { points: number }).points).toBe(10);
  });
});
