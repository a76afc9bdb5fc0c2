import fs from "node:fs";
import { expect, type APIRequestContext } from "@playwright/test";
import { STATE_FILE } from "./e2e-env";
import type { E2eState } from "./global-setup";

function apiKey(): string {
  return (JSON.parse(fs.readFileSync(STATE_FILE, "utf8")) as E2eState).apiKey;
}

/** The REST API as another system (the shop) would call it. */
export class LoyaltyApi {
  constructor(private readonly request: APIRequestContext) {}

  private headers() {
    return { Authorization: `Bearer ${apiKey()}` };
  }

  async createMember(externalId: string, email: string, name: string) {
    const res = await this.request.post("/api/v1/members", { headers: this.headers(), data: { externalId, email, name } });
    expect(res.status(), await res.text()).toBeLessThan(300);
  }

  /** POST /api/v1/members with a referral code: the answer carries the attribution. */
  async createReferredMember(externalId: string, email: string, name: string, referralCode: string) {
    const res = await this.request.post("/api/v1/members", { headers: this.headers(), data: { externalId, email, name, referralCode } });
    expect(res.status(), await res.text()).toBe(201);
    return (await res.json()) as { referral?: { status: string; reason?: string } };
  }

  async purchase(memberExternalId: string, referenceId: string, amountCents: number) {
    const res = await this.request.post("/api/v1/events", {
      headers: { ...this.headers(), "Accept-Encoding": "gzip" },
      data: { type: "purchase", memberExternalId, referenceId, amountCents },
    });
    expect(res.status(), await res.text()).toBe(201);
    // A small answer goes out as it is: gzip of a 100-byte body costs the server more than it saves.
    expect(res.headers()["content-encoding"]).toBeUndefined();
    return (await res.json()) as { points: number };
  }

  private async call<T>(method: "get" | "post" | "patch" | "delete", path: string, data?: unknown, expected?: number): Promise<T> {
    const res = await this.request[method](path, { headers: this.headers(), ...(data === undefined ? {} : { data }) });
    const text = await res.text();
    if (expected !== undefined) expect(res.status(), text).toBe(expected);
    else expect(res.status(), text).toBeLessThan(300);
    return (text ? JSON.parse(text) : null) as T;
  }

  /** The programme's checkout settings (GET/PATCH /api/v1/program). */
  program() {
    return this.call<{ pendingDays: number; holdTtlSeconds: number; referrerRewardPoints: number; refereeRewardPoints: number }>("get", "/api/v1/program");
  }

  setProgram(change: { pendingDays?: number; holdTtlSeconds?: number; referrerRewardPoints?: number; refereeRewardPoints?: number }) {
    return this.call<{ pendingDays: number }>("patch", "/api/v1/program", change);
  }

  /** A purchase at the shop's clock, answered with the new ledger row's id and points. */
  purchaseNow(memberExternalId: string, referenceId: string, amountCents: number) {
    return this.call<{ transactionId: number; points: number }>(
      "post",
      "/api/v1/events",
      { type: "purchase", memberExternalId, referenceId, amountCents },
      201,
    );
  }

  transactions(memberExternalId: string, limit = 5) {
    return this.call<{ items: { id: number; referenceId: string; vestsAt: string | null }[] }>(
      "get",
      `/api/v1/members/${encodeURIComponent(memberExternalId)}/transactions?limit=${limit}`,
    );
  }

  hold(memberExternalId: string, points: number, referenceId: string, ttlSeconds = 900) {
    return this.call<{ holdId: number; points: number }>(
      "post",
      `/api/v1/members/${encodeURIComponent(memberExternalId)}/holds`,
      { points, referenceId, ttlSeconds },
      201,
    );
  }

  voidHold(holdId: number) {
    return this.call("post", `/api/v1/holds/${holdId}/void`);
  }

  /** A coupon reward of the catalog API with its first pool of codes. */
  createCouponReward(name: string, pointsCost: number, codes: string[]) {
    return this.call<{ id: number }>("post", "/api/v1/rewards", { name, pointsCost, kind: "coupon", codes }, 201);
  }

  changeReward(id: number, change: { active?: boolean }) {
    return this.call("patch", `/api/v1/rewards/${id}`, change);
  }

  createWebhookEndpoint(url: string, eventTypes: string[]) {
    return this.call<{ id: number; secret: string }>("post", "/api/v1/webhook-endpoints", { url, eventTypes }, 201);
  }

  deleteWebhookEndpoint(id: number) {
    return this.call("delete", `/api/v1/webhook-endpoints/${id}`);
  }
}
