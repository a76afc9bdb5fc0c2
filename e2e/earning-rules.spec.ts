import { expect, test, type Page } from "@playwright/test";
import { ACCOUNTS, expectForbidden, signedIn } from "./support/staff-pages";

/**
 * Marketing's earning rules page (issue 13): create a rule, preview a purchase through the
 * accrual's planner, retire the rule and see the preview change. Categories are this run's own, so
 * no other spec's purchases (nor the model over HTTP) meet these rules.
 */
const run = Date.now().toString(36);
const shoes = `e2e-shoes-${run}`;
const giftCards = `e2e-giftcards-${run}`;

async function createRule(page: Page, name: string, categories: string, rate: string) {
  const form = page.getByRole("form", { name: "New earning rule" });
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Categories (comma-separated)").fill(categories);
  await form.getByLabel("Points per currency unit (0 = no points)").fill(rate);
  await form.getByLabel("Reason (for the audit log)").fill("e2e");
  await form.getByRole("button", { name: "Create rule" }).click();
  // The answer names the rule, so an earlier creation's answer is not taken for this one.
  const answer = form.getByText(new RegExp(`Created rule #\\d+ .${name}.`));
  await expect(answer).toBeVisible();
  return Number(/#(\d+)/.exec((await answer.textContent())!)![1]);
}

/** The preview's answer: points, multiplier and the rules it names. */
async function preview(page: Page): Promise<{ points: number; multiplier: number; rules: number[] }> {
  const form = page.getByRole("form", { name: "Preview a purchase" });
  await form.getByLabel(/Order lines/).fill(`E2E-SHOE-${run}, ${shoes}, 1, 80.00\nE2E-GC-${run}, ${giftCards}, 1, 50.00`);
  await form.getByRole("button", { name: "Preview" }).click();
  const answer = form.getByText(/^Earns \d+ points/);
  await expect(answer).toBeVisible();
  const text = (await answer.textContent())!;
  const [, points, multiplier] = /^Earns (\d+) points \(multiplier ([\d.]+)/.exec(text)!;
  const rules = [...(/rules ([#\d, ]+)/.exec(text)?.[1]?.matchAll(/#(\d+)/g) ?? [])].map((m) => Number(m[1]));
  // Let the next preview's answer be told from this one.
  await page.reload();
  return { points: Number(points), multiplier: Number(multiplier), rules };
}

test("marketing creates earning rules, previews a purchase with lines, and retires a rule", async ({ browser }) => {
  const page = await signedIn(browser, ACCOUNTS.marketing);
  await page.goto("/staff/earning-rules");
  await expect(page.getByRole("heading", { name: "Earning rules", level: 1 })).toBeVisible();

  const giftRule = await createRule(page, `No points on gift cards ${run}`, giftCards, "0");
  const shoesRule = await createRule(page, `Shoes 3 points ${run}`, shoes, "3");
  const rules = page.getByRole("region", { name: "Earning rules" });
  await expect(rules.getByRole("row", { name: new RegExp(`Shoes 3 points ${run}`) })).toContainText("active");

  // 80.00 of shoes at 3 points, 50.00 of gift cards at 0; the campaign and tier multiplier in force apply to both.
  const withRules = await preview(page);
  expect(withRules.points).toBe(Math.floor(80 * 3 * withRules.multiplier));
  expect(withRules.rules).toEqual(expect.arrayContaining([giftRule, shoesRule]));

  const row = rules.getByRole("row", { name: new RegExp(`Shoes 3 points ${run}`) });
  await row.getByLabel("Reason").fill("e2e: season over");
  await row.getByRole("button", { name: "Retire" }).click();
  await expect(row).toContainText("retired");

  // The shoes earn the programme's rate again; the gift cards still nothing.
  const after = await preview(page);
  expect(after.rules).not.toContain(shoesRule);
  expect(after.rules).toContain(giftRule);
  expect(after.points).toBeLessThan(withRules.points);

  const giftRow = rules.getByRole("row", { name: new RegExp(`No points on gift cards ${run}`) });
  await giftRow.getByLabel("Reason").fill("e2e: clean up");
  await giftRow.getByRole("button", { name: "Retire" }).click();
  await expect(giftRow).toContainText("retired");
  await page.context().close();
});

test("support is refused the earning rules page", async ({ browser }) => {
  const page = await signedIn(browser, ACCOUNTS.support);
  await expectForbidden(page, "/staff/earning-rules");
  await page.context().close();
});
