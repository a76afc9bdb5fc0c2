import { expect, type Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { SCREENSHOT_DIR } from "./e2e-env";

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 860 };

export class AuthPages {
  constructor(private readonly page: Page) {}

  async signUp(name: string, email: string, password: string) {
    await this.page.goto("/sign-up");
    await this.page.getByLabel("Name").fill(name);
    await this.page.getByLabel("Email").fill(email);
    await this.page.getByLabel("Password").fill(password);
    await this.page.getByRole("button", { name: "Create account" }).click();
    await expect(this.page).not.toHaveURL(/\/sign-up/);
  }

  async signIn(email: string, password: string) {
    await this.page.goto("/sign-in");
    await this.submitSignIn(email, password);
  }

  /** Fills the sign-in form already on screen (keeps its callbackUrl). */
  async submitSignIn(email: string, password: string) {
    await this.page.getByLabel("Email").fill(email);
    await this.page.getByLabel("Password").fill(password);
    await this.page.getByRole("button", { name: "Sign in" }).click();
  }

  async signOut() {
    await this.page.getByRole("button", { name: "Sign out" }).click();
    await expect(this.page).toHaveURL(/\/sign-in/);
  }
}

export class PortalPages {
  constructor(private readonly page: Page) {}

  headerBalance() {
    return this.page.locator("header").getByTestId("balance");
  }

  async expectBalance(points: string) {
    await expect(this.headerBalance()).toHaveText(points);
  }

  async startRedemption(points: number) {
    await this.page.goto("/redeem");
    await this.page.getByLabel("Points to redeem").fill(String(points));
    await this.page.getByRole("button", { name: "Review" }).click();
    await expect(this.page.getByRole("heading", { name: "Confirm your redemption" })).toBeVisible();
  }

  async redeem(points: number) {
    await this.startRedemption(points);
    await this.page.getByRole("button", { name: "Confirm redemption" }).click();
  }

  historyRows() {
    return this.page.getByTestId("history-row");
  }

  /** The dashboard's line of points held for a checkout in progress. */
  heldPoints() {
    return this.page.getByTestId("held-points");
  }

  /** The dashboard's line of points still in a purchase's return window. */
  pendingPoints() {
    return this.page.getByTestId("pending-points");
  }

  /** Picks a catalog reward on /redeem, reviews and confirms it. */
  async redeemReward(name: string) {
    await this.page.goto("/redeem");
    await this.page.locator("label").filter({ hasText: "Pick a reward" }).click();
    await this.page.locator("label").filter({ hasText: name }).click();
    await this.page.getByRole("button", { name: "Review" }).click();
    await expect(this.page.getByRole("heading", { name: "Confirm your redemption" })).toBeVisible();
    await this.page.getByRole("button", { name: "Confirm redemption" }).click();
  }

  /** The code the last redemption gave, in its confirmation. */
  couponCode() {
    return this.page.getByTestId("coupon-code");
  }

  /** The member's coupon codes on /redeem. */
  couponWallet() {
    return this.page.getByTestId("coupon-wallet");
  }
}

/** Full-page screenshots of the current page at phone and desktop widths. */
export async function screenshots(page: Page, name: string) {
  for (const [label, size] of [
    ["phone", PHONE],
    ["desktop", DESKTOP],
  ] as const) {
    await page.setViewportSize(size);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/${name}-${label}.png`, fullPage: true });
  }
  await page.setViewportSize(DESKTOP);
}

/** axe: no serious or critical violation (WCAG 2.1 A/AA rules). */
export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const severe = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(severe.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`)).toEqual([]);
}
