import fs from "node:fs";
import path from "node:path";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { generateSync } from "otplib";
import { connectPostgres } from "@/db/client";
import { signUp } from "@/lib/auth/sign-up";
import { databaseUrl, MAIL_DIR } from "./support/e2e-env";
import { AuthPages } from "./support/pages";

// The attacks of issue 10 on sign-in and the edge, each refused, against the built app.
// Every account here is new: the throttle tests leave theirs blocked for this client address.
const run = Date.now();
const password = "e2e-security-password";

/**
 * A new member account, made by the sign-up service itself rather than the form: the form allows
 * ten sign-ups an hour per client address, and the whole suite signs up from one.
 */
async function createAccount(name: string, email: string): Promise<void> {
  const handle = connectPostgres(databaseUrl(), { max: 1 });
  try {
    const result = await signUp(handle.db, { name, email, password });
    if (!result.ok) throw new Error(`could not create ${email}`);
  } finally {
    await handle.close();
  }
}

/** Creates the account and signs in with it through the form. */
async function signedIn(page: Page, name: string, email: string): Promise<void> {
  await createAccount(name, email);
  await new AuthPages(page).signIn(email, password);
  await expect(page).toHaveURL(/\/$/);
}

/** The CSRF token (and its cookie, kept by the context) Auth.js wants with every sign-in. */
let csrfToken = "";
async function fetchCsrf(request: APIRequestContext) {
  csrfToken = ((await (await request.get("/api/auth/csrf")).json()) as { csrfToken: string }).csrfToken;
}

/** One password sign-in through Auth.js's endpoint; answers the error code it redirects with. */
async function attempt(request: APIRequestContext, email: string, pw: string, forwardedFor?: string): Promise<string> {
  const response = await request.post("/api/auth/callback/credentials", {
    form: { email, password: pw, csrfToken },
    headers: forwardedFor ? { "x-forwarded-for": forwardedFor } : {},
    maxRedirects: 0,
  });
  const location = response.headers()["location"] ?? "";
  return new URL(location, "http://x").searchParams.get("code") ?? (location ? "signed-in" : `status ${response.status()}`);
}

test.describe("sign-in and edge attacks", () => {
  test("every answer carries the security headers; pages a nonce-based CSP that the app runs under without a violation", async ({ page }) => {
    const violations: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    const response = await page.goto("/sign-in");
    const headers = response!.headers();
    expect(headers["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
    expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
    expect(headers["permissions-policy"]).toContain("camera=()");
    expect(headers["strict-transport-security"]).toContain("max-age=");
    const api = await page.request.get("/api/health");
    expect(api.headers()["content-security-policy"]).toContain("default-src 'none'");
    expect(api.headers()["x-content-type-options"]).toBe("nosniff");

    const email = `csp-${run}@example.com`;
    await signedIn(page, "Csp Example", email);
    await page.goto("/history");
    await page.goto("/account");
    // An injected inline handler does not run.
    await page.evaluate(() => document.body.insertAdjacentHTML("beforeend", '<img src="data:," onerror="window.__injected=1">'));
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (window as { __injected?: number }).__injected)).toBeUndefined();
    expect(violations.filter((v) => !v.includes("inline event handler"))).toEqual([]);
  });

  test("a signed-in user is never sent off-site by callbackUrl", async ({ page }) => {
    await signedIn(page, "Redirect Example", `redirect-${run}@example.com`);
    for (const target of ["/%09/evil.example", "/%0a/evil.example", "/%5C/evil.example", "//evil.example", "/%2F%2Fevil.example", "javascript:alert(1)"]) {
      await page.goto(`/sign-in?callbackUrl=${target}`);
      expect(new URL(page.url()).host).toBe(new URL(test.info().project.use.baseURL!).host);
    }
  });

  test("rotating X-Forwarded-For buys no attempts, and concurrent guesses are counted before the check", async ({ page, browser }) => {
    const email = `throttle-${run}@example.com`;
    await signedIn(page, "Throttle Example", email);
    const request = (await browser.newContext()).request;
    await fetchCsrf(request);
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => attempt(request, email, `guess-${i}`, `203.0.113.${i + 1}`)));
    expect(answers.filter((a) => a === "credentials")).toHaveLength(5);
    expect(answers.filter((a) => a === "throttled")).toHaveLength(7);
    // A new forwarded address and the right password: still this client, still held.
    expect(await attempt(request, email, password, "198.51.100.77")).toBe("throttled");
  });
});

/** The newest password link the app emailed to this address (from the run's SMTP sink). */
async function passwordLinkFor(address: string): Promise<string> {
  let link: string | undefined;
  await expect
    .poll(
      () => {
        if (!fs.existsSync(MAIL_DIR)) return undefined;
        const mails = fs
          .readdirSync(MAIL_DIR)
          .sort()
          .map((name) => JSON.parse(fs.readFileSync(path.join(MAIL_DIR, name), "utf8")) as { to: string[]; raw: string })
          .filter((mail) => mail.to.includes(address.toLowerCase()))
          .map((mail) => mail.raw.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))));
        link = mails
          .at(-1)
          ?.match(/https?:\/\/[^\s"<>]+\/set-password\?[^\s"<>]+/)?.[0]
          ?.replace(/&amp;/g, "&");
        return link;
      },
      { message: `a password email to ${address}` },
    )
    .toBeDefined();
  return link!;
}

test.describe("sessions end at once", () => {
  test("a password change ends the other devices' sessions; sign out everywhere ends this one too", async ({ browser }) => {
    const email = `sessions-${run}@example.com`;
    const laptop = await (await browser.newContext()).newPage();
    const phone = await (await browser.newContext()).newPage();
    await signedIn(laptop, "Sessions Example", email);
    await new AuthPages(phone).signIn(email, password);
    await expect(phone).toHaveURL(/\/$/);

    await laptop.goto("/account");
    await laptop.getByLabel("Current password").fill(password);
    await laptop.getByLabel("New password", { exact: true }).fill("a changed e2e password");
    await laptop.getByLabel("Repeat the new password").fill("a changed e2e password");
    await laptop.getByRole("button", { name: "Change password" }).click();
    await expect(laptop.getByText("Your password is changed.")).toBeVisible();
    await laptop.goto("/history");
    await expect(laptop).toHaveURL(/\/history/);

    await phone.goto("/history");
    await expect(phone).toHaveURL(/\/sign-in/);

    await laptop.goto("/account");
    await laptop.getByRole("button", { name: "Sign out everywhere" }).click();
    await expect(laptop).toHaveURL(/\/sign-in\?notice=signed-out/);
    await laptop.goto("/");
    await expect(laptop).toHaveURL(/\/sign-in/);
  });

  test("a password reset by emailed link; the form says the same for an unknown email", async ({ browser }) => {
    const email = `reset-${run}@example.com`;
    const old = await (await browser.newContext()).newPage();
    await signedIn(old, "Reset Example", email);
    const page = await (await browser.newContext()).newPage();
    for (const address of [`nobody-${run}@example.com`, email]) {
      await page.goto("/forgot-password");
      await page.getByLabel("Email").fill(address);
      await page.getByRole("button", { name: "Email me a link" }).click();
      await expect(page.getByText("If an account with a password uses that email")).toBeVisible();
    }
    await page.goto(await passwordLinkFor(email));
    await page.getByLabel("New password").fill("a reset e2e password");
    await page.getByLabel("Repeat the password").fill("a reset e2e password");
    await page.getByRole("button", { name: "Set password" }).click();
    await expect(page.getByText("Your password is set.")).toBeVisible();
    await new AuthPages(page).signIn(email, "a reset e2e password");
    await expect(page).toHaveURL(/\/$/);
    // The session from before the reset has ended.
    await old.goto("/history");
    await expect(old).toHaveURL(/\/sign-in/);
  });
});

test.describe("two-factor authentication", () => {
  test("set up on /account, then sign-in asks for a code, which works once; a recovery code works", async ({ page, browser }) => {
    const email = `totp-${run}@example.com`;
    await signedIn(page, "Totp Example", email);
    await page.goto("/account");
    await page.getByRole("button", { name: "Set up two-factor" }).click();
    const secret = (await page.getByTestId("totp-secret").textContent())!.trim();
    await page.getByLabel("Code from the app").fill(generateSync({ secret, epoch: Math.floor(Date.now() / 1000) - 30 }));
    await page.getByRole("button", { name: "Turn on two-factor" }).click();
    // The codes arrive with the action's answer: wait for them (allTextContents does not).
    await expect(page.getByTestId("recovery-codes").locator("li")).toHaveCount(10);
    const codes = await page.getByTestId("recovery-codes").locator("li").allTextContents();
    expect(codes).toHaveLength(10);

    const other = await (await browser.newContext()).newPage();
    const auth = new AuthPages(other);
    await auth.signIn(email, password);
    await expect(other.getByLabel("Authentication code")).toBeVisible();
    await expect(other).toHaveURL(/\/sign-in/);
    const code = generateSync({ secret, epoch: Math.floor(Date.now() / 1000) });
    await other.getByLabel("Password").fill(password);
    await other.getByLabel("Authentication code").fill(code);
    await other.getByRole("button", { name: "Sign in" }).click();
    await expect(other).toHaveURL(/\/$/);

    // The same code on a third device: refused; a recovery code: in.
    const third = await (await browser.newContext()).newPage();
    await new AuthPages(third).signIn(email, password);
    await expect(third.getByLabel("Authentication code")).toBeVisible();
    await third.getByLabel("Password").fill(password);
    await third.getByLabel("Authentication code").fill(code);
    await third.getByRole("button", { name: "Sign in" }).click();
    await expect(third.getByText("That code did not work")).toBeVisible();
    await third.getByLabel("Password").fill(password);
    await third.getByLabel("Authentication code").fill(codes[0]!);
    await third.getByRole("button", { name: "Sign in" }).click();
    await expect(third).toHaveURL(/\/$/);
  });
});
