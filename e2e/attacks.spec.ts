import fs from "node:fs";
import path from "node:path";
import { expect, test, type Browser } from "@playwright/test";
import postgres from "postgres";
import { databaseUrl } from "./support/e2e-env";
import { AuthPages } from "./support/pages";
import { ACCOUNTS, expectForbidden, signedIn } from "./support/staff-pages";

/**
 * Issue 10, Proof: the attacks of the issue, tried against the built app (`next start`) as an
 * attacker would, each refused. SECURITY.md ("What each test proves") says what each one covers.
 */

const run = Date.now();
const ORIGIN_HOST = "localhost";

test.describe("attacks, each refused", () => {
  test("an off-site callbackUrl never takes a signed-in user off-site", async ({ browser }) => {
    const page = await signedIn(browser, ACCOUNTS.member);
    // Tabs, newlines and backslashes, which browsers drop or read as "/", and encoded slashes.
    const targets = [
      "https://evil.example/",
      "//evil.example",
      "/%09/evil.example",
      "/%0a/evil.example",
      "/\\evil.example",
      "/%5C%5Cevil.example",
      "/%2F%2Fevil.example",
      "http:evil.example",
    ];
    for (const target of targets) {
      await page.goto(`/sign-in?callbackUrl=${encodeURIComponent(target)}`);
      expect(new URL(page.url()).hostname, `callbackUrl=${target} → ${page.url()}`).toBe(ORIGIN_HOST);
    }
    // The raw, unencoded form the issue reported.
    await page.goto("/sign-in?callbackUrl=/%09/evil.example");
    expect(new URL(page.url()).hostname).toBe(ORIGIN_HOST);
    await page.context().close();
  });

  test("signing in with an off-site callbackUrl lands on our origin", async ({ browser }) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`/sign-in?callbackUrl=${encodeURIComponent("/%09/evil.example")}`);
    await new AuthPages(page).submitSignIn(ACCOUNTS.member, "loyalty-demo");
    await page.waitForURL((url) => !url.pathname.startsWith("/sign-in"));
    expect(new URL(page.url()).hostname).toBe(ORIGIN_HOST);
    await context.close();
  });

  test("a member opens the staff console, another member's page, statement and API data: refused", async ({ browser }) => {
    const page = await signedIn(browser, ACCOUNTS.member);
    await expectForbidden(page, "/staff");
    await expectForbidden(page, "/staff/members/demo-0002");
    await expectForbidden(page, "/staff/audit");
    // The session cookie opens neither the CSV export nor the REST API.
    expect((await page.request.get("/staff/reports/export?table=statement&member=demo-0002")).status()).toBe(403);
    expect((await page.request.get("/api/v1/members/demo-0002")).status()).toBe(401);
    expect((await page.request.get("/api/v1/members/demo-0002/transactions")).status()).toBe(401);
    // Staff-only route handlers refuse a member's cookie too.
    expect((await page.request.post("/staff/tiers/recalculate", { headers: { origin: new URL(page.url()).origin } })).status()).toBe(403);
    await page.context().close();
  });

  test("staff adjust the member linked to their own account: refused, nothing posted", async ({ browser }) => {
    const sql = postgres(databaseUrl(), { max: 1, onnotice: () => {} });
    try {
      const [member] = await sql<{ id: number }[]>`SELECT id FROM members WHERE external_id = 'demo-0003'`;
      await sql`UPDATE users SET member_id = ${member!.id} WHERE email = ${ACCOUNTS.support}`;
      const before = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM point_transactions WHERE member_id = ${member!.id}`;
      const page = await signedIn(browser, ACCOUNTS.support);
      await page.goto("/staff/members/demo-0003");
      const adjust = page.getByRole("form", { name: "Adjust points" });
      await adjust.getByLabel("Points").fill("50");
      await adjust.getByLabel("Reason").fill("Treating myself");
      await adjust.getByLabel("Reference").fill(`SELF-${run}`);
      await adjust.getByRole("button", { name: "Post adjustment" }).click();
      await expect(adjust.getByRole("alert")).toHaveText(/member linked to your own account/);
      const after = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM point_transactions WHERE member_id = ${member!.id}`;
      expect(after[0]!.n).toBe(before[0]!.n);
      await page.context().close();
    } finally {
      await sql`UPDATE users SET member_id = NULL WHERE email = ${ACCOUNTS.support}`;
      await sql.end();
    }
  });

  test("a forged X-Forwarded-For buys no extra sign-in attempts", async ({ browser }) => {
    const email = `attack-${run}@example.com`;
    const password = "the owner's real passphrase";
    const owner = await browser.newContext();
    await new AuthPages(await owner.newPage()).signUp("Targeted Owner", email, password);
    await owner.close();

    const attempt = async (b: Browser, i: number, guess: string) => {
      // A new client each time, claiming a new address each time.
      const context = await b.newContext({ extraHTTPHeaders: { "X-Forwarded-For": `203.0.113.${i}, 198.51.100.${i}` } });
      const page = await context.newPage();
      await page.goto("/sign-in");
      await new AuthPages(page).submitSignIn(email, guess);
      // The form's message (not Next.js's empty route announcer, which is also role="alert").
      const message = page.getByText(/do not match an account|Too many failed attempts/);
      await expect(message).toBeVisible();
      const text = await message.innerText();
      await context.close();
      return text;
    };
    // The tight budget is 5 per account and address (lib/auth/sign-in-throttle.ts).
    for (let i = 1; i <= 5; i++) expect(await attempt(browser, i, `wrong guess number ${i}`)).toMatch(/do not match/);
    // Even the right password, from yet another forged address, is now refused: the address is the socket's.
    expect(await attempt(browser, 6, password)).toMatch(/Too many failed attempts/);
  });

  test("security headers on pages, the API and static files", async ({ page, request }) => {
    const response = await page.goto("/sign-in");
    const headers = response!.headers();
    const csp = headers["content-security-policy"] ?? "";
    expect(csp).toMatch(/script-src[^;]*'nonce-[A-Za-z0-9+/=_-]+'/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["referrer-policy"]).toBeTruthy();
    expect(headers["permissions-policy"]).toBeTruthy();
    expect(headers["x-frame-options"]).toBe("DENY");

    const api = await request.get("/api/health");
    expect(api.headers()["x-content-type-options"]).toBe("nosniff");
    expect(api.headers()["content-security-policy"]).toMatch(/default-src 'none'/);
    expect(api.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");

    const script = await page.locator("script[src^='/_next/static/']").first().getAttribute("src");
    expect(script).toBeTruthy();
    const asset = await request.get(script!);
    expect(asset.status()).toBe(200);
    expect(asset.headers()["x-content-type-options"]).toBe("nosniff");
  });
});

/**
 * The client bundles of this very build (E2E_DIST_DIR/static, built by the web server step) hold no
 * server secret: neither the values the server runs with nor the names of server-only variables.
 */
test("the built client bundles contain no server secret", () => {
  const distDir = process.env.E2E_DIST_DIR ?? ".next-e2e";
  const staticDir = path.resolve(distDir, "static");
  expect(fs.existsSync(staticDir), `${staticDir} (the build of this run)`).toBe(true);
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(js|mjs|css|json|map|html|txt)$/.test(entry.name)) files.push(full);
    }
  };
  walk(staticDir);
  expect(files.length).toBeGreaterThan(5);

  // Values: what playwright.config.ts starts the server with.
  const values = ["e2e-secret-0123456789abcdef0123456789abcdef", "e2e-cron-secret-0123456789abcdef", databaseUrl(), new URL(databaseUrl()).pathname.slice(1)];
  // Names: every variable lib/env.ts reads that is not meant for the browser.
  const envSource = fs.readFileSync("lib/env.ts", "utf8");
  const names = [...envSource.matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]!).filter((n) => n !== "NODE_ENV" && !n.startsWith("NEXT_PUBLIC_"));
  expect(names).toEqual(expect.arrayContaining(["DATABASE_URL", "AUTH_SECRET", "CRON_SECRET", "METRICS_TOKEN", "AUTH_OIDC_SECRET", "REDIS_URL", "SMTP_URL"]));

  const found: string[] = [];
  for (const file of files) {
    const text = fs.readFileSync(file, "utf8");
    for (const needle of [...values, ...names]) if (text.includes(needle)) found.push(`${path.relative(distDir, file)}: ${needle}`);
    if (/postgres(ql)?:\/\/[^"'\s]*@/.test(text)) found.push(`${path.relative(distDir, file)}: a postgres:// URL with credentials`);
  }
  expect(found).toEqual([]);
});
