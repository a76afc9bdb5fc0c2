import { expect, test } from "@playwright/test";
import postgres from "postgres";
import { databaseUrl } from "./support/e2e-env";
import { expectAccessible, screenshots } from "./support/pages";
import { ACCOUNTS, expectForbidden, signedIn } from "./support/staff-pages";

const run = Date.now();
const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
const CSV = [
  "externalId,points,earnedAt,expiresAt,reference",
  `e2e-ob-${run}-a,120,${yesterday},,e2e-ob-${run}-1`,
  `e2e-ob-${run}-a,30,2020-01-01,2021-01-01,e2e-ob-${run}-2`,
  `e2e-ob-${run}-b,-4,${yesterday},,e2e-ob-${run}-3`,
  "",
].join("\n");

test.describe.serial("staff console: opening-balance import", () => {
  test("support and marketing are refused the page; the nav shows it to admins only", async ({ browser }) => {
    for (const role of ["support", "marketing"] as const) {
      const page = await signedIn(browser, ACCOUNTS[role]);
      await expectForbidden(page, "/staff/import");
      await page.context().close();
    }
  });

  test("an admin checks a file with a dry run, then imports it: report by line, balances, audit", async ({ browser }) => {
    const page = await signedIn(browser, ACCOUNTS.admin);
    await page.goto("/staff");
    await page.getByRole("navigation", { name: "Staff console" }).getByRole("link", { name: "Import" }).click();
    await expect(page.getByRole("heading", { name: "Import opening balances" })).toBeVisible();
    await expectAccessible(page);
    const file = { name: "old-programme.csv", mimeType: "text/csv", buffer: Buffer.from(CSV) };

    // Dry run (checked by default): the figures and the rejected line, nothing written.
    await page.getByLabel("CSV file").setInputFiles(file);
    await page.getByLabel("Reason (for the audit log)").fill("Migration from OldLoyal");
    await page.getByRole("button", { name: "Import" }).click();
    await expect(
      page.getByText("Dry run, nothing written: 2 of 3 rows (150 points; 1 already expired, 30 points) would be imported, 1 member to create."),
    ).toBeVisible();
    const lines = page.getByRole("region", { name: "Lines not imported" });
    await expect(lines.getByRole("row")).toHaveCount(2);
    await expect(lines.getByRole("row").nth(1)).toContainText(/4\s*rejected\s*points\s*points must be positive/);
    await expectAccessible(page);
    await screenshots(page, "staff-import-dry-run");
    const sql = postgres(databaseUrl(), { max: 1, onnotice: () => {} });
    try {
      expect(await sql`SELECT 1 FROM members WHERE external_id LIKE ${`e2e-ob-${run}-%`}`).toHaveLength(0);

      // The real import.
      await page.getByLabel("CSV file").setInputFiles(file);
      await page.getByLabel("Reason (for the audit log)").fill("Migration from OldLoyal");
      await page.getByLabel(/^Dry run/).uncheck();
      await page.getByRole("button", { name: "Import" }).click();
      await expect(page.getByText("Imported 2 of 3 rows (150 points; 1 already expired, 30 points); 1 member created.")).toBeVisible();
      const [balance] = await sql<{ available: string; earned: string }[]>`
        SELECT b.available_points AS available, b.total_earned AS earned FROM point_balances b JOIN members m ON m.id = b.member_id
        WHERE m.external_id = ${`e2e-ob-${run}-a`}`;
      expect(balance).toEqual({ available: "120", earned: "150" });

      // Again: the two lines answer as duplicates.
      await page.getByLabel("CSV file").setInputFiles(file);
      await page.getByLabel("Reason (for the audit log)").fill("Migration from OldLoyal, again");
      await page.getByLabel(/^Dry run/).uncheck();
      await page.getByRole("button", { name: "Import" }).click();
      await expect(page.getByText("Imported 0 of 3 rows (0 points; 0 already expired, 0 points); 0 members created.")).toBeVisible();
      await expect(lines.getByRole("row").filter({ hasText: "duplicate" })).toHaveCount(2);

      // The audit log has the import with its actor and reason.
      const audit = await sql<{ actor: string; reason: string }[]>`
        SELECT actor, reason FROM audit_log WHERE action = 'points.import' AND after->>'source' = 'old-programme.csv' ORDER BY id DESC LIMIT 1`;
      expect(audit[0]?.reason).toBe("Migration from OldLoyal");
      expect(audit[0]?.actor).toMatch(/^user:/);
    } finally {
      await sql.end();
      await page.context().close();
    }
  });

  test("an unknown column refuses the file with its reason", async ({ browser }) => {
    const page = await signedIn(browser, ACCOUNTS.admin);
    await page.goto("/staff/import");
    await page.getByLabel("Or paste its lines (header first)").fill("externalId,points,earnedAt,reference,bonus\nx,1,2020-01-01,r,1");
    await page.getByLabel("Reason (for the audit log)").fill("Paste check");
    await page.getByRole("button", { name: "Import" }).click();
    await expect(
      page.getByText('Nothing imported: line 1: unknown column "bonus": expected externalId, points, earnedAt, expiresAt, reference.'),
    ).toBeVisible();
    await page.context().close();
  });
});
