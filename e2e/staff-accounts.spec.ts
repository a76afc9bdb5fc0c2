import { expect, test } from "@playwright/test";
import { ACCOUNTS, expectForbidden, signedIn } from "./support/staff-pages";

const run = Date.now();

test("an admin adds a staff member, who sets a password from the one-time link and gets only that role", async ({ browser }) => {
  for (const role of ["support", "marketing"] as const) {
    const other = await signedIn(browser, ACCOUNTS[role]);
    await expectForbidden(other, "/staff/accounts");
    await other.context().close();
  }

  const admin = await signedIn(browser, ACCOUNTS.admin);
  await admin.goto("/staff");
  await admin.getByRole("navigation", { name: "Staff console" }).getByRole("link", { name: "Staff" }).click();
  await expect(admin).toHaveURL(/\/staff\/accounts$/);
  const form = admin.getByRole("form", { name: "Add a staff member" });
  const email = `new-agent-${run}@example.com`;
  await form.getByLabel("Email").fill(email);
  await form.getByLabel("Name").fill("New Agent");
  await form.getByLabel("Support").check();
  await form.getByLabel("Reason").fill("e2e hire");
  await form.getByRole("button", { name: "Add staff member" }).click();
  const status = form.getByRole("status");
  await expect(status).toContainText(`Created ${email} (support)`);
  const link = (await status.textContent())!.match(/https?:\/\/\S+\/set-password\?\S+/)![0];
  await expect(admin.getByRole("form", { name: `Roles of ${email}` })).toBeVisible();
  await admin.context().close();

  // The new agent, on another device: the link, a password, sign in, support's section only.
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(new URL(link).pathname + new URL(link).search);
  await page.getByLabel("New password").fill("agent password 123");
  await page.getByLabel("Repeat the password").fill("agent password 123");
  await page.getByRole("button", { name: "Set password" }).click();
  await expect(page.getByRole("status")).toContainText("Your password is set.");
  // The link is spent.
  await page.goto(new URL(link).pathname + new URL(link).search);
  await page.getByLabel("New password").fill("another password 1");
  await page.getByLabel("Repeat the password").fill("another password 1");
  await page.getByRole("button", { name: "Set password" }).click();
  await expect(page.getByRole("main").getByRole("alert")).toContainText("This link is not valid any more");

  await page.goto("/sign-in?callbackUrl=%2Fstaff");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("agent password 123");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.pathname === "/staff");
  expect((await page.goto("/staff/members"))?.status()).toBe(200);
  await expectForbidden(page, "/staff/accounts");
  await context.close();
});
