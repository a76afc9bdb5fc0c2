import { expect, test, type Page } from "@playwright/test";
import { LoyaltyApi } from "./support/api";
import { verificationLinkFor } from "./support/mailbox";
import { AuthPages, expectAccessible, PortalPages, screenshots } from "./support/pages";

const run = Date.now();
const password = "e2e-password-1";
const alice = { externalId: `e2e-alice-${run}`, email: `alice-${run}@example.com`, name: "Alice Example" };
const fmt = (n: number) => n.toLocaleString("en-US");
// What the purchase earned (a campaign of the seed may multiply it); the later figures follow from it.
let earnedPoints = 0;
const bob = { externalId: `e2e-bob-${run}`, email: `bob-${run}@example.com`, name: "Bob Example" };

// One member's journey, step by step, in one browser page: each step builds on the previous one.
test.describe.serial("member portal", () => {
  let page: Page;
  let auth: AuthPages;
  let portal: PortalPages;

  test.beforeAll(async ({ browser }) => {
    const context = await browser.newContext();
    page = await context.newPage();
    auth = new AuthPages(page);
    portal = new PortalPages(page);
  });
  test.afterAll(async () => {
    await page.context().close();
  });

  test("signed-out visitors of portal pages are sent to sign-in", async () => {
    for (const path of ["/", "/history", "/redeem", "/notifications"]) {
      await page.goto(path);
      await expect(page).toHaveURL(/\/sign-in/);
    }
    await expectAccessible(page);
    await screenshots(page, "sign-in");
    await page.goto("/sign-up");
    await expectAccessible(page);
    await screenshots(page, "sign-up");
  });

  test("sign up with the email of a member the shop created: nothing of it is shown until the emailed link comes back", async ({ request, browser }) => {
    const api = new LoyaltyApi(request);
    await api.createMember(alice.externalId, alice.email, alice.name);
    await auth.signUp(alice.name, alice.email, password);
    await expect(page).toHaveURL(/\/check-email/);
    await expect(page.getByRole("heading", { level: 1, name: "Check your email" })).toBeVisible();
    await expectAccessible(page);
    await screenshots(page, "check-email");
    // Knowing the email is not enough: the portal shows nothing of the member yet.
    for (const path of ["/", "/history", "/redeem"]) {
      await page.goto(path);
      await expect(page).toHaveURL(/\/check-email/);
    }
    await expect(page.getByTestId("balance")).toHaveCount(0);

    // The link, opened where nobody is signed in (another device), asks for this account first.
    const link = await verificationLinkFor(alice.email);
    const elsewhere = await browser.newContext();
    const other = await elsewhere.newPage();
    await other.goto(link);
    await expect(other).toHaveURL(/\/sign-in\?.*notice=verify/);
    await expect(other.getByText("Sign in to the account you created to confirm your email.")).toBeVisible();
    await new AuthPages(other).submitSignIn(alice.email, password);
    await expect(other.getByRole("heading", { level: 1, name: "Hello, Alice Example" })).toBeVisible();
    await elsewhere.close();

    // Linked: this browser's session now sees the member too.
    await page.goto("/");
    await expect(page.getByRole("heading", { level: 1, name: "Hello, Alice Example" })).toBeVisible();
    await portal.expectBalance("0");
  });

  test("a spent link is refused", async () => {
    const link = await verificationLinkFor(alice.email);
    const response = await page.request.get(link, { maxRedirects: 0 });
    expect(response.headers()["location"]).toContain("/check-email?error=invalid");
  });

  test("a new email enrols a new member at once", async ({ browser }) => {
    const context = await browser.newContext();
    const fresh = await context.newPage();
    await new AuthPages(fresh).signUp("Nora New", `nora-${run}@example.com`, password);
    await expect(fresh).toHaveURL(/\/$/);
    await expect(fresh.getByRole("heading", { level: 1, name: "Hello, Nora New" })).toBeVisible();
    await new PortalPages(fresh).expectBalance("0");
    await context.close();
  });

  test("sign out, then a wrong password is refused and the right one signs in", async () => {
    await auth.signOut();
    await auth.signIn(alice.email, "not-the-password");
    await expect(page.getByRole("alert").filter({ hasText: "do not match" })).toBeVisible();
    await auth.signIn(alice.email, password);
    await expect(page.getByRole("heading", { level: 1, name: "Hello, Alice Example" })).toBeVisible();
  });

  test("points earned through the API show on the dashboard", async ({ request }) => {
    const api = new LoyaltyApi(request);
    const earned = await api.purchase(alice.externalId, `order-${run}-1`, 250_00);
    // 1 point per currency unit, times the highest active campaign multiplier.
    expect(earned.points % 250).toBe(0);
    expect(earned.points).toBeGreaterThanOrEqual(250);
    earnedPoints = earned.points;
    await page.reload();
    await portal.expectBalance(fmt(earnedPoints));
    await expect(page.getByRole("region", { name: "Available points" })).toContainText(fmt(earnedPoints));
    await expect(page.getByText(/to reach Silver/)).toBeVisible();
    await expectAccessible(page);
    await screenshots(page, "dashboard");
  });

  test("redeem: review shows the balance after, confirm updates the balance without a reload", async () => {
    await portal.startRedemption(100);
    await expect(page.getByText("Balance after").locator("..")).toContainText(fmt(earnedPoints - 100));
    await expectAccessible(page);
    await screenshots(page, "redeem-confirm");
    await page.getByRole("button", { name: "Confirm redemption" }).click();
    await expect(page.getByRole("status").filter({ hasText: "100 points redeemed" })).toBeVisible();
    await portal.expectBalance(fmt(earnedPoints - 100));
    await expect(page.getByTestId("redeem-balance")).toHaveText(fmt(earnedPoints - 100));
    await screenshots(page, "redeem-done");
  });

  test("history lists the earn and the redemption with signs, multiplier and expiry", async () => {
    await page.goto("/history");
    await expect(portal.historyRows()).toHaveCount(2);
    await expect(portal.historyRows().nth(0)).toContainText("Redeemed");
    await expect(portal.historyRows().nth(0)).toContainText("-100");
    await expect(portal.historyRows().nth(1)).toContainText(`+${fmt(earnedPoints)}`);
    await expect(portal.historyRows().nth(1)).toContainText("Expires");
    await expectAccessible(page);
    await screenshots(page, "history");

    await page.getByLabel("Type").selectOption("redeem");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await expect(page).toHaveURL(/type=redeem/);
    await expect(portal.historyRows()).toHaveCount(1);
  });

  test("overspending shows a clear error and changes nothing", async () => {
    await portal.redeem(earnedPoints * 10);
    await expect(page.getByRole("alert").filter({ hasText: "do not have enough points" })).toBeVisible();
    await portal.expectBalance(fmt(earnedPoints - 100));
  });

  test("a double submit of one attempt redeems once", async () => {
    await portal.startRedemption(10);
    // Bypass the disabled button: two submissions of the same form (same idempotency key) at once.
    await page.locator("form:has(input[name=idempotencyKey])").evaluate((form: HTMLFormElement) => {
      form.requestSubmit();
      form.requestSubmit();
    });
    await expect(page.getByRole("status").filter({ hasText: "10 points redeemed" })).toBeVisible();
    await portal.expectBalance(fmt(earnedPoints - 110));
    await page.goto("/history?type=redeem");
    await expect(portal.historyRows()).toHaveCount(2);
    await expect(portal.historyRows().filter({ hasText: /-10(?![0-9])/ })).toHaveCount(1);
    await portal.expectBalance(fmt(earnedPoints - 110));
  });

  test("another member's data is never shown", async ({ request }) => {
    const api = new LoyaltyApi(request);
    await api.createMember(bob.externalId, bob.email, bob.name);
    await api.purchase(bob.externalId, `bob-order-${run}`, 777_00);

    // Ids in the URL are ignored: the member always comes from the session.
    await page.goto(`/history?memberId=1&memberExternalId=${bob.externalId}`);
    await expect(portal.historyRows()).toHaveCount(3);
    await expect(page.getByText(`bob-order-${run}`)).toHaveCount(0);

    // The staff pages and the REST API (without an API key) refuse a member's session.
    const staff = await page.goto(`/staff/members/${bob.externalId}`);
    expect([403, 404]).toContain(staff?.status());
    await expect(page.getByText(`bob-order-${run}`)).toHaveCount(0);
    const apiAsMember = await page.request.get(`/api/v1/members/${bob.externalId}`);
    expect(apiAsMember.status()).toBe(401);
  });

  test("inbox and sign out", async () => {
    await page.goto("/notifications");
    await expect(page.getByRole("heading", { level: 1, name: "Inbox" })).toBeVisible();
    await expectAccessible(page);
    await screenshots(page, "inbox");
    await auth.signOut();
    await page.goto("/");
    await expect(page).toHaveURL(/\/sign-in/);
  });
});
