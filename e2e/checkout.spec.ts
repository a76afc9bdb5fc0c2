import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { Webhook } from "standardwebhooks";
import { connectPostgres } from "@/db/client";
import { resetEnvCache } from "@/lib/env";
import { deliverDueWebhooks } from "@/lib/webhooks/deliver";
import { LoyaltyApi } from "./support/api";
import { databaseUrl } from "./support/e2e-env";
import { PortalPages } from "./support/pages";
import { ACCOUNTS, signedIn, WebhookPages } from "./support/staff-pages";

// Issue 12 in the browser: what a member sees of a checkout (pending and held points, a coupon
// code in the wallet) and what an admin sees of the webhooks. The seeded member demo-0001 is
// member@example.com; every change here is undone at the end so the other specs see the seed.
const MEMBER = "demo-0001";
const run = Date.now();
const fmt = (n: number) => n.toLocaleString("en-US");
const day = (iso: string) => new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeZone: "UTC" }).format(new Date(iso));

test("a member sees points pending until the return window closes, and points held for a checkout", async ({ browser, request }) => {
  const api = new LoyaltyApi(request);
  const before = await api.program();
  let holdId: number | null = null;
  try {
    await api.setProgram({ pendingDays: 14 });
    const earned = await api.purchaseNow(MEMBER, `e2e-pending-${run}`, 20_00);
    expect(earned.points).toBeGreaterThanOrEqual(20);
    const row = (await api.transactions(MEMBER)).items.find((t) => t.referenceId === `e2e-pending-${run}`)!;
    expect(row.vestsAt).not.toBeNull();
    holdId = (await api.hold(MEMBER, 75, `e2e-hold-${run}`)).holdId;

    const page = await signedIn(browser, ACCOUNTS.member);
    const portal = new PortalPages(page);
    await page.goto("/");
    await expect(portal.pendingPoints()).toContainText(`${fmt(earned.points)} more points are pending`);
    await expect(portal.heldPoints()).toContainText("75 more points are held for a checkout in progress");
    // The history says when the pending points become spendable.
    await page.goto("/history");
    const pendingRow = portal.historyRows().filter({ hasText: `e2e-pending-${run}` });
    await expect(pendingRow).toContainText(`+${fmt(earned.points)}`);
    await expect(pendingRow.getByTestId("pending")).toHaveText(`Pending until ${day(row.vestsAt!)}`);
    await page.context().close();
  } finally {
    if (holdId !== null) await api.voidHold(holdId);
    await api.setProgram({ pendingDays: before.pendingDays });
  }
});

test("a member redeems a coupon reward and finds its code in the wallet", async ({ browser, request }) => {
  const api = new LoyaltyApi(request);
  const name = `E2E coupon ${run}`;
  const codes = [`E2E-${run}-A`, `E2E-${run}-B`];
  const reward = await api.createCouponReward(name, 50, codes);
  try {
    const page = await signedIn(browser, ACCOUNTS.member);
    const portal = new PortalPages(page);
    await portal.redeemReward(name);
    await expect(page.getByRole("status").filter({ hasText: `50 points redeemed for ${name}` })).toBeVisible();
    // The pool's oldest code, given once; the wallet lists it under the reward after a reload too.
    await expect(portal.couponCode()).toHaveText(codes[0]!);
    await page.reload();
    await expect(portal.couponWallet().locator("li").filter({ hasText: name })).toContainText(codes[0]!);
    await expect(portal.couponWallet()).not.toContainText(codes[1]!);
    await page.context().close();
  } finally {
    await api.changeReward(reward.id, { active: false });
  }
});

test("an admin sees a signed delivery in the webhook log", async ({ browser, request }) => {
  const api = new LoyaltyApi(request);
  const received: { headers: Record<string, string>; body: string }[] = [];
  const receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])), body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(200, { "content-type": "text/plain" }).end("thanks");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/e2e-${run}`;
  const endpoint = await api.createWebhookEndpoint(url, ["points.earned"]);
  // On PostgreSQL delivery is `npm run webhooks`'s job: this test runs one round of the same
  // function, with the server's AUTH_SECRET (playwright.config.ts) to read the endpoint's secret.
  process.env.AUTH_SECRET = "e2e-secret-0123456789abcdef0123456789abcdef";
  resetEnvCache();
  const handle = connectPostgres(databaseUrl(), { max: 1 });
  try {
    await api.purchaseNow(MEMBER, `e2e-webhook-${run}`, 1_00);
    await expect.poll(async () => (await deliverDueWebhooks(handle.db)).delivered, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    expect(received).toHaveLength(1);
    const event = new Webhook(endpoint.secret).verify(received[0]!.body, received[0]!.headers) as { type: string; data: { referenceId: string } };
    expect(event).toMatchObject({ type: "points.earned", data: { referenceId: `e2e-webhook-${run}` } });

    const page = await signedIn(browser, ACCOUNTS.admin);
    const webhooks = new WebhookPages(page);
    await webhooks.open();
    const row = webhooks.deliveriesTo(url);
    await expect(row).toHaveCount(1);
    await expect(row).toContainText("points.earned");
    await expect(row).toContainText(received[0]!.headers["webhook-id"]!);
    await expect(row).toContainText("delivered");
    await expect(row).toContainText("HTTP 200");
    await expect(row.getByRole("button", { name: "Redeliver" })).toBeVisible();
    await page.context().close();
  } finally {
    await api.deleteWebhookEndpoint(endpoint.id);
    await handle.close();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  }
});
