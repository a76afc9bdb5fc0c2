import fs from "node:fs";
import { expect, test } from "@playwright/test";
import postgres from "postgres";
import { LoyaltyApi } from "./support/api";
import { databaseUrl } from "./support/e2e-env";
import { expectAccessible, screenshots } from "./support/pages";
import { ACCOUNTS, expectForbidden, signedIn, utcLocal } from "./support/staff-pages";

const run = Date.now();

test.describe("staff console: each role sees only its own sections", () => {
  const sections = ["/staff/campaigns", "/staff/rewards", "/staff/tiers", "/staff/members", "/staff/audit", "/staff/reports", "/staff/dead-letters"];
  const allowed: Record<keyof typeof ACCOUNTS, string[]> = {
    member: [],
    marketing: ["/staff/campaigns", "/staff/rewards", "/staff/tiers"],
    support: ["/staff/members"],
    admin: sections,
  };

  for (const role of Object.keys(ACCOUNTS) as (keyof typeof ACCOUNTS)[]) {
    test(`${role}: refused the others' pages`, async ({ browser }) => {
      const page = await signedIn(browser, ACCOUNTS[role]);
      if (role === "member") {
        await expectForbidden(page, "/staff");
      } else {
        await page.goto("/staff");
        const nav = page.getByRole("navigation", { name: "Staff console" });
        for (const path of sections) {
          const link = nav.locator(`a[href="${path}"]`);
          if (allowed[role].includes(path)) await expect(link).toBeVisible();
          else await expect(link).toHaveCount(0);
        }
      }
      for (const path of sections) {
        if (allowed[role].includes(path)) {
          const response = await page.goto(path);
          expect(response?.status(), path).toBe(200);
        } else {
          await expectForbidden(page, path);
        }
      }
      const exportResponse = await page.request.get("/staff/reports/export?table=flows");
      expect(exportResponse.status()).toBe(role === "admin" ? 200 : 403);
      await page.context().close();
    });
  }
});

test.describe.serial("staff console journeys", () => {
  test("marketing creates a 3x campaign and an order earns triple", async ({ browser, request }) => {
    const page = await signedIn(browser, ACCOUNTS.marketing);
    await page.goto("/staff/campaigns");
    const form = page.getByRole("form", { name: "New campaign" });
    const name = `Triple test ${run}`;
    await form.getByLabel("Name").fill(name);
    await form.getByLabel("Multiplier").fill("3");
    await form.getByLabel("Starts").fill(utcLocal(new Date()));
    await form.getByLabel("Ends").fill(utcLocal(new Date(Date.now() + 86_400_000)));
    await form.getByLabel("Time zone").fill("UTC");
    await form.getByLabel("Purchases").check();
    await form.getByRole("button", { name: "Schedule campaign" }).click();
    await expect(form.getByText(`Campaign “${name}” scheduled (3×).`)).toBeVisible();
    const row = page.getByRole("row", { name: new RegExp(name) });
    await expect(row.getByText("active")).toBeVisible();

    const preview = page.getByRole("form", { name: "Preview earnings" });
    await preview.getByLabel("Order amount").fill("80.00");
    await preview.getByLabel("Member tier").selectOption("bronze");
    await preview.getByRole("button", { name: "Preview" }).click();
    await expect(preview.getByText(/An order of \$80\.00 by a Bronze member at that time earns 240 points \(3×/)).toBeVisible();
    await expectAccessible(page);
    await screenshots(page, "staff-campaigns");

    const api = new LoyaltyApi(request);
    const externalId = `e2e-staff-${run}`;
    await api.createMember(externalId, `staff-${run}@example.com`, "Carol Campaign");
    const earned = await api.purchase(externalId, `order-${run}`, 8_000);
    expect(earned.points).toBe(240);

    await page.reload();
    await expect(page.getByRole("row", { name: new RegExp(name) })).toContainText("240");
    // Leave the other specs the seed's campaigns only.
    page.once("dialog", (dialog) => void dialog.accept());
    await page
      .getByRole("row", { name: new RegExp(name) })
      .getByRole("button", { name: "End now" })
      .click();
    const past = page.getByRole("table", { name: "Ended and archived campaigns" });
    await expect(past.getByRole("row", { name: new RegExp(name) })).toContainText("ended");
    await page.context().close();
  });

  test("marketing changes a threshold, previews it and recalculates", async ({ browser }) => {
    const page = await signedIn(browser, ACCOUNTS.marketing);
    await page.goto("/staff/tiers");
    const form = page.getByRole("form", { name: "Tier thresholds" });
    const silver = form.getByLabel("Silver from (spend, 12 months)");
    const original = await silver.inputValue();
    await silver.fill("1.00");
    await form.getByRole("button", { name: "Preview changes" }).click();
    await expect(form.getByText(/^Preview: .*Nothing was saved\.$/)).toBeVisible();
    await form.getByRole("button", { name: "Save" }).click();
    await expect(form.getByText(/^Saved: Bronze from \$0\.00, Silver from \$1\.00/)).toBeVisible();
    await page.getByRole("button", { name: "Recalculate tiers now" }).click();
    await expect(page.getByText(/^Done: .* members checked/)).toBeVisible({ timeout: 30_000 });
    await screenshots(page, "staff-tiers");

    await page.reload();
    await form.getByLabel("Silver from (spend, 12 months)").fill(original);
    await form.getByRole("button", { name: "Save" }).click();
    await expect(form.getByText(/^Saved:/)).toBeVisible();
    await page.getByRole("button", { name: "Recalculate tiers now" }).click();
    await expect(page.getByText(/^Done: /)).toBeVisible({ timeout: 30_000 });
    await page.context().close();
  });

  test("support adjusts a balance and the admin finds it in the audit log", async ({ browser }) => {
    const support = await signedIn(browser, ACCOUNTS.support);
    await support.goto("/staff/members");
    await support.getByLabel("External id, email or name").fill(`STAFF-${run}@`);
    await support.getByRole("button", { name: "Search" }).click();
    await support.getByRole("link", { name: "Carol Campaign" }).click();
    await expect(support.getByRole("heading", { level: 1, name: "Carol Campaign" })).toBeVisible();

    const adjust = support.getByRole("form", { name: "Adjust points" });
    await adjust.getByLabel("Points").fill("-1000");
    await adjust.getByLabel("Reason").fill("Test debit");
    await adjust.getByLabel("Reference").fill(`NEG-${run}`);
    await adjust.getByRole("button", { name: "Post adjustment" }).click();
    await expect(adjust.getByRole("alert")).toHaveText(/would take the balance from 240 to -760/);

    await adjust.getByLabel("Points").fill("123");
    await adjust.getByLabel("Reason").fill("Goodwill for a late delivery");
    await adjust.getByLabel("Reference").fill(`TICKET-${run}`);
    await adjust.getByRole("button", { name: "Post adjustment" }).click();
    await expect(adjust.getByText("Posted +123 points. Balance now 363.")).toBeVisible();
    await support.reload();
    await expect(support.getByRole("table", { name: "Audit entries for this member" })).toContainText("Goodwill for a late delivery");

    await adjust.getByLabel("Points").fill("20000");
    await adjust.getByLabel("Reason").fill("Migration from the old programme");
    await adjust.getByLabel("Reference").fill(`BIG-${run}`);
    await adjust.getByRole("button", { name: "Post adjustment" }).click();
    await expect(adjust.getByText(/waiting for an admin's approval/)).toBeVisible();
    await expectAccessible(support);
    await screenshots(support, "staff-member");
    await support.context().close();

    const admin = await signedIn(browser, ACCOUNTS.admin);
    await admin.goto(`/staff/members/e2e-staff-${run}`);
    await admin.getByRole("button", { name: "Approve" }).click();
    // The request leaves the queue and the balance includes it (the card and its message go with it).
    await expect(admin.getByRole("heading", { name: "Waiting for approval" })).toHaveCount(0);
    await expect(admin.getByText("20,363", { exact: true })).toBeVisible();

    await admin.goto(`/staff/audit?member=e2e-staff-${run}`);
    const audit = admin.getByRole("table", { name: "Audit entries, newest first" });
    await expect(audit).toContainText("points.adjust");
    await expect(audit).toContainText("Goodwill for a late delivery");
    await expect(audit).toContainText("adjustment.approve");
    await admin.goto(`/staff/audit?actor=${encodeURIComponent(ACCOUNTS.support)}&action=points.adjust`);
    await expect(admin.getByRole("table", { name: "Audit entries, newest first" })).toContainText("Goodwill for a late delivery");
    await expectAccessible(admin);
    await screenshots(admin, "staff-audit");
    await admin.context().close();
  });

  test("admin exports report and statement CSVs", async ({ browser }) => {
    const page = await signedIn(browser, ACCOUNTS.admin);
    await page.goto("/staff/reports");
    await expect(page.getByText("Outstanding points now")).toBeVisible();
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export CSV" }).first().click()]);
    const text = fs.readFileSync((await download.path())!, "utf8");
    expect(text.split("\n")[0]).toBe("period,earned,redeemed,expired,adjusted,reversed,net");
    expect(text.split("\n").length).toBeGreaterThan(2);
    await expectAccessible(page);
    await screenshots(page, "staff-reports");

    const statement = await page.request.get(`/staff/reports/export?table=statement&member=e2e-staff-${run}`);
    expect(statement.status()).toBe(200);
    const lines = (await statement.text()).trim().split("\n");
    expect(lines[0]).toContain("transaction_id,booked_at");
    expect(lines.at(-1)).toContain(",20363,");
    await page.context().close();
  });

  test("admin reads a dead-lettered stream event with its reason and payload", async ({ browser }) => {
    // What the stream worker writes for an event it can never apply (no worker runs in this suite).
    const sql = postgres(databaseUrl(), { max: 1, onnotice: () => {} });
    try {
      await sql`INSERT INTO dead_letter_events (stream_id, payload, reason)
        VALUES (${`loyalty:events:${run}-0`}, ${sql.json({ type: "purchase", memberExternalId: `ghost-${run}`, referenceId: `dl-${run}`, amountCents: 1200 })},
                ${"member_not_found: No member with externalId ghost"})`;
    } finally {
      await sql.end();
    }
    const page = await signedIn(browser, ACCOUNTS.admin);
    await page.getByRole("navigation", { name: "Staff console" }).getByRole("link", { name: "Dead letters" }).click();
    await expect(page).toHaveURL(/\/staff\/dead-letters$/);
    const table = page.getByRole("table", { name: "Dead-lettered events, newest first" });
    const row = table.getByRole("row").filter({ hasText: `ghost-${run}` });
    await expect(row).toContainText("member_not_found: No member with externalId ghost");
    await expect(row).toContainText(`dl-${run}`);
    await expect(row).toContainText(`loyalty:events:${run}-0`);
    await expectAccessible(page);
    await screenshots(page, "staff-dead-letters");
    await page.context().close();
  });
});
