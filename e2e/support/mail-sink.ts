import fs from "node:fs";
import path from "node:path";
import { SMTPServer } from "smtp-server";
import { MAIL_DIR, SMTP_PORT } from "./e2e-env";

/**
 * A real SMTP server for the run, started by the global setup in Playwright's main process. The
 * app under test sends to it through SMTP_URL; each accepted message is written to MAIL_DIR as
 * JSON, where the specs (in worker processes) read it.
 */
export async function startMailSink(): Promise<() => Promise<void>> {
  fs.rmSync(MAIL_DIR, { recursive: true, force: true });
  fs.mkdirSync(MAIL_DIR, { recursive: true });
  let count = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const to = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
        const file = path.join(MAIL_DIR, `${Date.now()}-${++count}.json`);
        fs.writeFileSync(file, JSON.stringify({ to, raw: Buffer.concat(chunks).toString("utf8") }));
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once("error", reject);
    server.listen(SMTP_PORT, "127.0.0.1", () => resolve());
  });
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}
