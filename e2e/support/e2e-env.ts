/**
 * Settings shared by playwright.config.ts (main process), the database preparation script run
 * before the server, and the workers. Per-run values are fixed once in the main process and
 * inherited by every child through the environment, so two runs on one machine (another
 * engineer's, with its own E2E_PORT) share neither database, SMTP port nor state files.
 */
process.env.E2E_DATABASE ??= `loyalty_e2e_${process.pid}_${Date.now()}`;
// Below Linux's ephemeral range (32768+), so an outgoing connection never holds it.
process.env.E2E_SMTP_PORT ??= String(10_000 + (process.pid % 20_000));

export const E2E_PORT = Number(process.env.E2E_PORT ?? 3917);
export const BASE_URL = `http://localhost:${E2E_PORT}`;
export const E2E_DATABASE = process.env.E2E_DATABASE;
/** The run's SMTP sink (e2e/support/mail-sink.ts); the app's SMTP_URL points at it. */
export const SMTP_PORT = Number(process.env.E2E_SMTP_PORT);
export const SMTP_URL = `smtp://127.0.0.1:${SMTP_PORT}`;
/** The server's CRON_SECRET (playwright.config.ts), for specs that run the jobs through their routes. */
export const CRON_SECRET = "e2e-cron-secret-0123456789abcdef";
export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export function databaseUrl(name = E2E_DATABASE): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export const OUTPUT_DIR = "e2e/.output";
export const SCREENSHOT_DIR = `${OUTPUT_DIR}/screenshots`;
/** This run's own files: the API key and the mail the app sent. */
export const RUN_DIR = `${OUTPUT_DIR}/runs/${E2E_DATABASE}`;
export const STATE_FILE = `${RUN_DIR}/state.json`;
export const MAIL_DIR = `${RUN_DIR}/mail`;
