import fs from "node:fs";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { eq } from "drizzle-orm";
import { connectPostgres } from "@/db/client";
import { members } from "@/db/schema";
import { LoyaltyApi } from "./support/api";
import { STATE_FILE, databaseUrl } from "./support/e2e-env";
import type { E2eState } from "./support/global-setup";
import { ACCOUNTS, signedIn } from "./support/staff-pages";

// Issue 13, tier retention in the browser: marketing writes a tier's benefits on the Programme
// page, and a member in grace sees "Spend X more by DATE to keep Gold" with the benefits. The
// seeded member demo-0001 is member@example.com; its tier, grace and the settings are put back.
const MEMBER = "demo-0001";
const run = Date.now();
const money = (minor: number) => new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }).format(minor / 100);
const dateTime = (iso: string) => new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }).format(new Date(iso));

function authHeaders() {
  const { apiKey } = JSON.parse(fs.readFileSync(STATE_FILE, "utf8")) as E2eState;
  return { Authorization: `Bearer ${apiKey}` };
}

async function api<T>(request: APIRequestContext, method: "get" | "patch", path: string, data?: unknown): Promise<T> {
  const res = await request[method](path, { headers: authHeaders(), ...(data === undefined ? {} : { data }) });
  const text = await res.text();
  expect(res.status(), text).toBe(200);
  return JSON.parse(text) as T;
}

interface Program {
  tierGraceDays: number;
  tiers: { code: string; earnMultiplier: number; benefits: string[] }[];
}
interface Summary {
  tier: string;
  tierRetention: { retainUntil: string | null; spendNeeded: number };
  tierBenefits: string[];
}

test("a member in grace sees what to spend by when to keep Gold, and Gold's benefits written on the Programme page", async ({ browser, request }) => {
  const before = await api<Program>(request, "get", "/api/v1/program");
  const goldBefore = before.tiers.find((t) => t.code === "gold")!;
  const handle = connectPostgres(databaseUrl(), { max: 1 });
  const [memberBefore] = await handle.db.select().from(members).where(eq(members.externalId, MEMBER));
  const benefit = `Free express shipping ${run}`;
  try {
    // Marketing: the grace and Gold's benefits, through the console form.
    const staff = await signedIn(browser, ACCOUNTS.marketing);
    await staff.goto("/staff/program");
    await staff.getByLabel("Grace period (days; 0 = off)").fill("30");
    await staff.getByLabel("Gold benefits shown to members (one per line)").fill(`${benefit}\nPriority support`);
    await staff.getByRole("button", { name: "Save" }).click();
    await expect(staff.getByText("tier grace 30 days")).toBeVisible();
    await staff.context().close();
    const saved = await api<Program>(request, "get", "/api/v1/program");
    expect(saved.tierGraceDays).toBe(30);
    expect(saved.tiers.find((t) => t.code === "gold")!.benefits).toEqual([benefit, "Priority support"]);

    // The member holds Gold in grace (as the tier job leaves a member it first finds below gold's
    // threshold); a purchase through the API then drops the member's cached dashboard.
    const graceEnd = new Date(Math.floor(Date.now() / 1000) * 1000 + 30 * 86_400_000);
    await handle.db.update(members).set({ tier: "gold", tierGraceEndsAt: graceEnd }).where(eq(members.externalId, MEMBER));
    await new LoyaltyApi(request).purchase(MEMBER, `e2e-tier-${run}`, 10_00);

    const summary = await api<Summary>(request, "get", `/api/v1/members/${MEMBER}`);
    expect(summary.tier).toBe("gold");
    expect(summary.tierRetention.retainUntil).toBe(graceEnd.toISOString());
    expect(summary.tierRetention.spendNeeded).toBeGreaterThan(0);
    expect(summary.tierBenefits).toEqual([benefit, "Priority support"]);

    const page = await signedIn(browser, ACCOUNTS.member);
    await page.goto("/");
    await expect(page.getByTestId("tier")).toHaveText("Gold");
    await expect(page.getByTestId("tier-retention")).toHaveText(
      `Spend ${money(summary.tierRetention.spendNeeded)} more by ${dateTime(graceEnd.toISOString())} UTC to keep Gold.`,
    );
    await expect(page.getByTestId("tier-benefits")).toContainText(benefit);
    await expect(page.getByTestId("tier-benefits")).toContainText("Priority support");
    await page.context().close();
  } finally {
    await handle.db.update(members).set({ tier: memberBefore!.tier, tierGraceEndsAt: memberBefore!.tierGraceEndsAt }).where(eq(members.externalId, MEMBER));
    await api(request, "patch", "/api/v1/program", {
      tierGraceDays: before.tierGraceDays,
      tiers: [{ code: "gold", earnMultiplier: goldBefore.earnMultiplier, benefits: goldBefore.benefits }],
    });
    await handle.close();
  }
});
