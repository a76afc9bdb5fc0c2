import fs from "node:fs";
import postgres from "postgres";
import { ADMIN_URL, E2E_DATABASE, RUN_DIR } from "./e2e-env";

export default async function globalTeardown() {
  if (process.env.E2E_KEEP_DATABASE) return;
  fs.rmSync(RUN_DIR, { recursive: true, force: true });
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`DROP DATABASE IF EXISTS "${E2E_DATABASE}" WITH (FORCE)`);
  await admin.end();
}
