import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import { POST as recordEvent } from "@/app/api/v1/events/route";
import { POST as createMember } from "@/app/api/v1/members/route";
import { GET as getMember } from "@/app/api/v1/members/[externalId]/route";
import { POST as hold } from "@/app/api/v1/members/[externalId]/holds/route";
import { POST as capture } from "@/app/api/v1/holds/[holdId]/capture/route";
import { POST as voidHold } from "@/app/api/v1/holds/[holdId]/void/route";
import { holdCaptureSchema, holdSchema } from "@/lib/http/schemas";
import { call, createApiHarness, writtenRows, type ApiHarness } from "./api-harness";

describe("checkout holds over REST", () => {
  let h: ApiHarness;
  const holdsCount = async () => Number((await queryRows<{ n: number }>(h.t.db, sql`SELECT count(*)::int AS n FROM point_holds`))[0]!.n);
  const place = (body: unknown, externalId = "cust-h") => call(hold, `/api/v1/members/${externalId}/holds`, { key: h.key, body, params: { externalId } });
  const summary = async () => (await call(getMember, "/api/v1/members/cust-h", { key: h.key, params: { externalId: "cust-h" } })).body;

  beforeAll(async () => {
    h = await createApiHarness();
    await call(createMember, "/api/v1/members", { key: h.key, body: { externalId: "cust-h" } });
    await call(recordEvent, "/api/v1/events", {
      key: h.key,
      body: { type: "purchase", memberExternalId: "cust-h", referenceId: "o-h", amountCents: 50_000 },
    });
  });
  afterAll(() => h.close());

  it("holds (201), shows the held points, captures part (201) and releases the rest", async () => {
    const placed = await place({ points: 200, referenceId: "cart-1", ttlSeconds: 600 });
    expect(placed.status).toBe(201);
    const held = holdSchema.parse(placed.body);
    expect(held).toMatchObject({ points: 200, state: "active", availablePoints: 300, duplicate: false });
    expect(await summary()).toMatchObject({ availablePoints: 300, heldPoints: 200 });

    const replay = await place({ points: 200, referenceId: "cart-1", ttlSeconds: 600 });
    expect([replay.status, replay.body.holdId, replay.body.duplicate]).toEqual([200, held.holdId, true]);

    const params = { holdId: String(held.holdId) };
    const captured = await call(capture, `/api/v1/holds/${held.holdId}/capture`, { key: h.key, params, body: { points: 150, referenceId: "pay-1" } });
    expect(captured.status).toBe(201);
    expect(holdCaptureSchema.parse(captured.body)).toMatchObject({ capturedPoints: 150, releasedPoints: 50, availablePoints: 350 });
    expect(await summary()).toMatchObject({ availablePoints: 350, heldPoints: 0 });
    const again = await call(capture, `/api/v1/holds/${held.holdId}/capture`, { key: h.key, params, body: { points: 150, referenceId: "pay-1" } });
    expect([again.status, again.body.duplicate]).toEqual([200, true]);
  });

  it("voids (200), and a voided hold cannot be captured (409)", async () => {
    const placed = await place({ points: 100, referenceId: "cart-2" });
    const params = { holdId: String(placed.body.holdId) };
    const voided = await call(voidHold, `/api/v1/holds/${placed.body.holdId}/void`, { key: h.key, params });
    expect([voided.status, voided.body.state]).toEqual([200, "voided"]);
    const late = await call(capture, `/api/v1/holds/${placed.body.holdId}/capture`, { key: h.key, params, body: { referenceId: "pay-2" } });
    expect([late.status, late.body.error]).toEqual([409, "conflict"]);
  });

  it.each([
    [{ points: 351, referenceId: "cart-3" }, 409, "insufficient_points", undefined],
    [{ points: 0, referenceId: "cart-3" }, 400, "validation_failed", "points"],
    [{ points: 10, referenceId: "cart-3", ttlSeconds: 10 }, 400, "validation_failed", "ttlSeconds"],
    [{ points: 10, referenceId: "cart-3", ttlSeconds: 10 ** 9 }, 400, "validation_failed", "ttlSeconds"],
    [{ points: 10 }, 400, "validation_failed", "referenceId"],
    [{ points: 10, referenceId: "cart-3", extra: 1 }, 400, "validation_failed", undefined],
  ])("refuses %j with %i %s and writes nothing", async (body, status, error, field) => {
    const before = [await writtenRows(h.t), await holdsCount()];
    const refused = await place(body);
    expect([refused.status, refused.body.error]).toEqual([status, error]);
    if (field) expect(refused.body.field).toBe(field);
    expect([await writtenRows(h.t), await holdsCount()]).toEqual(before);
  });

  it("answers 404 for an unknown hold or member and 400 for a malformed hold id", async () => {
    const unknown = await call(capture, "/api/v1/holds/999999/capture", { key: h.key, params: { holdId: "999999" }, body: { referenceId: "p" } });
    expect([unknown.status, unknown.body.error]).toEqual([404, "hold_not_found"]);
    const malformed = await call(voidHold, "/api/v1/holds/abc/void", { key: h.key, params: { holdId: "abc" } });
    expect([malformed.status, malformed.body.field]).toEqual([400, "holdId"]);
    const nobody = await place({ points: 1, referenceId: "cart-9" }, "nobody");
    expect([nobody.status, nobody.body.error]).toEqual([404, "member_not_found"]);
  });

  it("needs the redemptions:write scope", async () => {
    const key = await h.keyWith(["members:read"]);
    const refused = await call(hold, "/api/v1/members/cust-h/holds", { key, params: { externalId: "cust-h" }, body: { points: 1, referenceId: "cart-x" } });
    expect(refused.status).toBe(403);
  });
});
