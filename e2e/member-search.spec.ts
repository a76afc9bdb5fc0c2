import { expect, test } from "@playwright/test";
import { LoyaltyApi } from "./support/api";
import { ACCOUNTS, MemberSearchPages, signedIn } from "./support/staff-pages";

// Support pages through more matches than one page holds (20), and back to the first page.
test("support pages through the member search past the first 20 matches", async ({ browser, request }) => {
  const run = Date.now();
  const api = new LoyaltyApi(request);
  const prefix = `Pagesearch${run}`;
  for (let i = 0; i < 23; i++) {
    await api.createMember(`e2e-ps-${run}-${i}`, `ps${run}-${i}@example.org`, `${prefix} ${String(i).padStart(2, "0")}`);
  }
  const page = await signedIn(browser, ACCOUNTS.support);
  const search = new MemberSearchPages(page);
  await search.search(prefix.toLowerCase());
  await expect(search.results()).toHaveCount(20);
  await expect(search.results().first()).toContainText(`${prefix} 00`);
  await expect(search.results().last()).toContainText(`${prefix} 19`);
  await expect(search.firstPage()).toHaveCount(0);

  await search.nextPage().click();
  await expect(search.results()).toHaveCount(3);
  await expect(search.results().first()).toContainText(`${prefix} 20`);
  await expect(search.results().last()).toContainText(`${prefix} 22`);
  await expect(search.nextPage()).toHaveCount(0);

  await search.firstPage().click();
  await expect(search.results()).toHaveCount(20);
  await expect(search.results().first()).toContainText(`${prefix} 00`);
  await page.context().close();
});
