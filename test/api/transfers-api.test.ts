import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as recordEvent } from "@/app/api/v1/events/route";
import { POST as createMember } from "@/app/api/v1/members/route";
import { GET as getMember } from "@/app/api/v1/members/[externalId]/route";
import { POST as transfer } from "@/app/api/v1/members/[externalId]/transfers/route";
import { transferResultSchema } from "@/lib/http/schemas";
import { call, createApiHarness, writtenRows, type ApiHarness } from "./api-harness";

describe("POST /api/v1/members/{externalId}/transfers", () => {
  let h: ApiHarness;
  const send = (body: unknown, externalId = "cust-t1") =>
    call(transfer, `/api/v1/members/${externalId}/transfers`, { key: h.key, body, params: { externalId } });
  const available = async (externalId: string) =>
    (await call(getMember, `/api/v1/members/${externalId}`, { key: h.key, params: { externalId } })).body.availablePoints;

  beforeAll(async () => {
    h = await createApiHarness();
    for (const externalId of ["cust-t1", "cust-t2"]) await call(createMember, "/api/v1/members", { key: h.key, body: { externalId } });
    await call(recordEvent, "/api/v1/events", { key: h.key, body: { type: "purchase", memberExternalId: "cust-t1", referenceId: "o-t", amountCents: 20_000 } });
  });
  afterAll(() => h.close());

  it("transfers (201), answers a replay (200) and both members see it", async () => {
    const sent = await send({ toMemberExternalId: "cust-t2", points: 75, referenceId: "t-1" });
    expect(sent.status).toBe(201);
    expect(transferResultSchema.parse(sent.body)).toMatchObject({ points: 75, availablePoints: 125, duplicate: false });
    expect([await available("cust-t1"), await available("cust-t2")]).toEqual([125, 75]);
    const replay = await send({ toMemberExternalId: "cust-t2", points: 75, referenceId: "t-1" });
    expect([replay.status, replay.body.duplicate]).toEqual([200, true]);
  });

  it.each([
    [{ toMemberExternalId: "cust-t2", points: 126, referenceId: "t-2" }, 409, "insufficient_points"],
    [{ toMemberExternalId: "cust-t2", points: 10_001, referenceId: "t-2" }, 422, "limit_exceeded"],
    [{ toMemberExternalId: "cust-t1", points: 1, referenceId: "t-2" }, 422, "unprocessable"],
    [{ toMemberExternalId: "nobody", points: 1, referenceId: "t-2" }, 404, "member_not_found"],
    [{ toMemberExternalId: "cust-t2", points: 0, referenceId: "t-2" }, 400, "validation_failed"],
    [{ toMemberExternalId: "cust-t2", points: 5, referenceId: "t-1" }, 409, "idempotency_conflict"],
  ])("refuses %j with %i %s and writes nothing", async (body, status, error) => {
    const before = await writtenRows(h.t);
    const refused = await send(body);
    expect([refused.status, refused.body.error]).toEqual([status, error]);
    expect(await writtenRows(h.t)).toEqual(before);
  });
});
