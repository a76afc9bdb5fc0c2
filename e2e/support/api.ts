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
}
