import { expect, type Browser, type Page } from "@playwright/test";

export const DEMO_PASSWORD = "loyalty-demo";
export const ACCOUNTS = {
  member: "member@example.com",
  marketing: "marketing@example.com",
  support: "support@example.com",
  admin: "admin@example.com",
} as const;

/** A fresh browser context signed in as one demo account, landing on the staff console (or the portal). */
export async function signedIn(browser: Browser, email: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto("/sign-in?callbackUrl=%2Fstaff");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/sign-in"));
  return page;
}

export async function expectForbidden(page: Page, path: string) {
  const response = await page.goto(path);
  expect(response?.status(), path).toBe(403);
  await expect(page.getByRole("heading", { name: "You are not allowed to see this page" })).toBeVisible();
}

/** "YYYY-MM-DDTHH:mm" in UTC, for datetime-local inputs read in the UTC zone. */
export function utcLocal(date: Date): string {
  return date.toISOString().slice(0, 16);
}

/** Support's member search (/staff/members). */
export class MemberSearchPages {
  constructor(private readonly page: Page) {}

  async search(query: string) {
    await this.page.goto("/staff/members");
    await this.page.getByLabel("External id, email or name").fill(query);
    await this.page.getByRole("button", { name: "Search" }).click();
    await expect(this.page).toHaveURL(/\/staff\/members\?q=/);
  }

  /** The result rows (the table's body). */
  results() {
    return this.page.getByRole("table").locator("tbody tr");
  }

  nextPage() {
    return this.page.getByRole("link", { name: "More matches →" });
  }

  firstPage() {
    return this.page.getByRole("link", { name: "← First matches" });
  }
}

/** The admin's webhooks console (/staff/webhooks). */
export class WebhookPages {
  constructor(private readonly page: Page) {}

  async open() {
    await this.page.goto("/staff/webhooks");
    await expect(this.page.getByRole("heading", { level: 1, name: /Webhooks/ })).toBeVisible();
  }

  /** The delivery log's rows that went to `url`. */
  deliveriesTo(url: string) {
    return this.page
      .getByRole("table", { name: /Delivery log/ })
      .locator("tbody tr")
      .filter({ hasText: url });
  }
}
