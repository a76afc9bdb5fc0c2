import fs from "node:fs";
import { connectPostgres } from "@/db/client";
import { API_SCOPES, createApiKey } from "@/lib/loyalty/access/api-keys";
import { databaseUrl, RUN_DIR, SCREENSHOT_DIR, STATE_FILE } from "./e2e-env";
import { startMailSink } from "./mail-sink";

export interface E2eState {
  apiKey: string;
}

/**
 * After the server is up: an API key for the "earn through the API" steps, handed to the specs in a
 * file, and the SMTP sink the app mails to (it only sends during the tests). The returned function
 * stops the sink at the end of the run.
 */
export default async function globalSetup() {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  fs.mkdirSync(RUN_DIR, { recursive: true });
  const handle = connectPostgres(databaseUrl(), { max: 1 });
  try {
    const { key } = await createApiKey(handle.db, { name: `e2e-${Date.now()}`, scopes: API_SCOPES });
    fs.writeFileSync(STATE_FILE, JSON.stringify({ apiKey: key } satisfies E2eState));
  } finally {
    await handle.close();
  }
  return startMailSink();
}
