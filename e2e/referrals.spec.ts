import { expect, test } from "@playwright/test";
import { LoyaltyApi } from "./support/api";
import { expectAccessible, screenshots } from "./support/pages";
import { ACCOUNTS, signedIn } from "./support/staff-pages";

const run = Date.now();

test.describe("referrals (issue 13)", () => {
  test("marketing sets the rewards; a member copies their invite link; a friend joins with the code, buys, and both are rewarded; support sees it", async ({
    browser,
    request,
  }) => {
    const api = new LoyaltyApi(request);
    try {
      // Marketing sets the rewards on the Programme page.
      const marketing = await signedIn(browser, ACCOUNTS.marketing);
      await marketing.goto("/staff/program");
      await marketing.getByLabel("Points for the referrer").fill("40");
      await marketing.getByLabel("Points for the friend").fill("20");
      await marketing.getByRole("button", { name: "Save" }).click();
      await expect(marketing.getByText("Saved:")).toBeVisible();
      await marketing.context().close();
      expect(await api.program()).toMatchObject({ referrerRewardPoints: 40, refereeRewardPoints: 20 });

      const page = await signedIn(browser, ACCOUNTS.member);
      await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
      await page.goto("/invite");
      await expect(page.getByRole("heading", { level: 1, name: "Invite friends" })).toBeVisible();
      await expect(page.getByText("you get 40 points and they get 20")).toBeVisible();
      const code = (await page.getByTestId("referral-code").textContent())!.trim();
      expect(code).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$/);
      const link = page.getByLabel("Your referral link");
      await expect(link).toHaveValue(new RegExp(`/sign-up\\?ref=${code}$`));
      await page.getByRole("button", { name: "Copy link" }).click();
      await expect(page.getByRole("status").filter({ hasText: "Copied" })).toBeVisible();
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(await link.inputValue());
      await expectAccessible(page);

      // A friend joins with the code (the shop calls the API): pending until the first purchase.
      const friend = `e2e-friend-${run}`;
      expect((await api.createReferredMember(friend, `friend-${run}@example.com`, "Fran Friend", code.toLowerCase())).referral).toEqual({ status: "pending" });
      await page.reload();
      await expect(page.getByTestId("referral-list")).toContainText("Joined: rewarded after their first purchase");
      await api.purchase(friend, `e2e-friend-order-${run}`, 1_200);
      await page.reload();
      const list = page.getByTestId("referral-list");
      await expect(list.getByRole("listitem").first()).toContainText("Rewarded (+40 points)");
      await expect(list).not.toContainText("Fran");
      await screenshots(page, "portal-invite");
      await page.context().close();

      const support = await signedIn(browser, ACCOUNTS.support);
      await support.goto(`/staff/members/${friend}`);
      const referrals = support.getByRole("region", { name: "Referrals of this member" });
      await expect(referrals.getByRole("row").nth(1)).toContainText("Referred by");
      await expect(referrals.getByRole("row").nth(1)).toContainText("rewarded");
      await expect(referrals.getByRole("row").nth(1)).toContainText("+20");
      await expectAccessible(support);
      await support.context().close();
    } finally {
      await api.setProgram({ referrerRewardPoints: 500, refereeRewardPoints: 250 });
    }
  });
});
