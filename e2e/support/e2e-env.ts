/**
 * Settings shared by playwright.config.ts (main process), the database preparation script run
 * before the server, and the workers. The database name is fixed once per run in the main process
 * and inherited by every child through the environment.
 */
export const E2E_PORT = Number(process.env.E2E_PORT ?? 3917);
export const BASE_URL = `http://localhost:${E2E_PORT}`;
/** The run's SMTP sink (e2e/support/mail-sink.ts); the app's SMTP_URL points at it. */
export const SMTP_PORT = Number(process.env.E2E_SMTP_PORT ?? E2E_PORT + 1);
export const SMTP_URL = `smtp://127.0.0.1:${SMTP_PORT}`;
export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

process.env.E2E_DATABASE ??= `loyalty_e2e_${process.pid}_${Date.now()}`;
export const E2E_DATABASE = process.env.E2E_DATABASE;

export function databaseUrl(name = E2E_DATABASE): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export const OUTPUT_DIR = "e2e/.output";
export const STATE_FILE = `${OUTPUT_DIR}/state.json`;
export const SCREENSHOT_DIR = `${OUTPUT_DIR}/screenshots`;
export const MAIL_DIR = `${OUTPUT_DIR}/mail`;
