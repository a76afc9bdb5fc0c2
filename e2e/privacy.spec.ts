import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { LoyaltyApi } from "./support/api";
import { ACCOUNTS, signedIn } from "./support/staff-pages";

const run = Date.now();

test.describe("member privacy (issue 13)", () => {
  test("a member downloads their own data from the account page", async ({ browser }) => {
    const page = await signedIn(browser, ACCOUNTS.member);
    await page.goto("/account");
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download my data" }).click()]);
    expect(download.suggestedFilename()).toMatch(/^member-\d+-data-\d{4}-\d{2}-\d{2}\.json$/);
    const data = JSON.parse(fs.readFileSync((await download.path())!, "utf8")) as {
      format: string;
      member: { email: string };
      account: { email: string };
      transactions: unknown[];
    };
    expect(data.format).toBe("loyalty-member-export/1");
    expect(data.member.email).toBe(ACCOUNTS.member);
    expect(data.account.email).toBe(ACCOUNTS.member);
    expect(data.transactions.length).toBeGreaterThan(0);
    await page.context().close();
  });

  test("an admin exports a member's data and erases the member in the console", async ({ browser, request }) => {
    const api = new LoyaltyApi(request);
    const externalId = `e2e-privacy-${run}`;
    await api.createMember(externalId, `privacy-${run}@example.com`, "Petra Privacy");
    await api.purchase(externalId, `privacy-order-${run}`, 2_500);

    const admin = await signedIn(browser, ACCOUNTS.admin);
    await admin.goto(`/staff/members/${externalId}`);
    await expect(admin.getByRole("heading", { level: 1, name: "Petra Privacy" })).toBeVisible();
    const [download] = await Promise.all([admin.waitForEvent("download"), admin.getByRole("link", { name: "Download data (JSON)" }).click()]);
    const exported = JSON.parse(fs.readFileSync((await download.path())!, "utf8")) as { member: { externalId: string; name: string } };
    expect(exported.member).toMatchObject({ externalId, name: "Petra Privacy" });

    const erase = admin.getByRole("form", { name: "Erase member" });
    await erase.getByLabel("Reason").fill("Erasure request, ticket e2e");
    await erase.getByRole("button", { name: "Erase member" }).click();
    await expect(erase.getByRole("alert")).toHaveText(/Tick the box to confirm: erasure cannot be undone\./);
    await erase.getByLabel("I confirm this member's personal data is to be erased.").check();
    await erase.getByRole("button", { name: "Erase member" }).click();
    await admin.waitForURL(/\/staff\/members\/erased%3A\d+\?erased=1$/);
    await expect(admin.getByTestId("erased-banner")).toContainText("This member was erased");
    await expect(admin.getByRole("heading", { level: 1, name: /^erased:\d+$/ })).toBeVisible();
    await expect(admin.getByText("Petra Privacy")).toHaveCount(0);
    await expect(admin.getByRole("form", { name: "Erase member" })).toHaveCount(0);
    // The ledger row stays on the books, under the member id.
    await expect(admin.getByRole("table", { name: "Ledger transactions, newest first" })).toContainText(`privacy-order-${run}`);
    await admin.context().close();
  });
});
