import { defineConfig, devices } from "@playwright/test";
import { BASE_URL, CRON_SECRET, databaseUrl, E2E_PORT, SMTP_URL } from "./e2e/support/e2e-env";

const distDir = process.env.E2E_DIST_DIR ?? ".next-e2e";
// The specs deliver webhooks from their own process too (checkout.spec.ts), to a receiver on
// 127.0.0.1: a loopback target, refused without this (lib/webhooks/target.ts). Workers inherit it.
process.env.WEBHOOK_ALLOW_PRIVATE_TARGETS ??= "1";

export default defineConfig({
  testDir: "e2e",
  testMatch: "*.spec.ts",
  outputDir: "test-results",
  // Two cores: one browser at a time, against one production build.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"], ["html", { outputFolder: "playwright-report", open: "never" }]],
  globalSetup: "./e2e/support/global-setup.ts",
  globalTeardown: "./e2e/support/global-teardown.ts",
  use: {
    baseURL: BASE_URL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    video: "off",
    locale: "en-US",
    timezoneId: "UTC",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    },
  },
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"] } }],
  webServer: {
    // The database is prepared first: Playwright starts this server before globalSetup runs.
    command: `npx tsx e2e/support/prepare-database.ts && npx next build && npx next start -p ${E2E_PORT}`,
    url: `${BASE_URL}/api/health`,
    timeout: 600_000,
    // E2E_REUSE_SERVER=1 runs against a server you started (same E2E_PORT and E2E_DATABASE; its SMTP_URL=smtp://127.0.0.1:$E2E_SMTP_PORT), for quick iterations.
    reuseExistingServer: Boolean(process.env.E2E_REUSE_SERVER),
    stdout: "pipe",
    stderr: "pipe",
    env: {
      DATABASE_URL: databaseUrl(),
      NEXT_DIST_DIR: distDir,
      AUTH_SECRET: "e2e-secret-0123456789abcdef0123456789abcdef",
      AUTH_URL: BASE_URL,
      CRON_SECRET,
      // Verification emails go to the sink the global setup starts; specs read the links from it.
      SMTP_URL,
      LOG_LEVEL: "warn",
      // checkout.spec.ts registers a receiver on 127.0.0.1 over http (refused in production without it).
      WEBHOOK_ALLOW_PRIVATE_TARGETS: "1",
      NEXT_TELEMETRY_DISABLED: "1",
    },
  },
});
