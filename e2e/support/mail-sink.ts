import fs from "node:fs";
import path from "node:path";
import { startSmtpSink } from "../../test/support/smtp-sink";
import { MAIL_DIR, SMTP_PORT } from "./e2e-env";

/**
 * The run's SMTP sink, started by the global setup in Playwright's main process. The app under
 * test sends to it through SMTP_URL; each accepted message is written to MAIL_DIR as JSON, where
 * the specs (in worker processes) read it.
 */
export async function startMailSink(): Promise<() => Promise<void>> {
  fs.rmSync(MAIL_DIR, { recursive: true, force: true });
  fs.mkdirSync(MAIL_DIR, { recursive: true });
  let count = 0;
  const sink = await startSmtpSink({
    port: SMTP_PORT,
    onMail: (mail) => {
      const file = path.join(MAIL_DIR, `${Date.now()}-${++count}.json`);
      fs.writeFileSync(file, JSON.stringify({ to: mail.to.map((a) => a.toLowerCase()), raw: mail.raw }));
    },
  });
  return sink.close;
}
