import nodemailer from "nodemailer";
import { env } from "@/lib/env";

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

/** What jobs need from email: send one message, and let go of the connection when done. */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
  close(): void;
}

/** An SMTP mailer for `smtp://user:pass@host:port` (or smtps://). Pooled: one connection for a run. */
export function createSmtpMailer(url: string, from: string): Mailer {
  const transport = nodemailer.createTransport(url.includes("?") ? url : `${url}?pool=true`);
  return {
    async send(message) {
      await transport.sendMail({ from, ...message });
    },
    close: () => transport.close(),
  };
}

/** The configured mailer, or null when SMTP_URL is not set (reminders then stay in the inbox only). */
export function mailerFromEnv(): Mailer | null {
  const { SMTP_URL, SMTP_FROM } = env();
  return SMTP_URL ? createSmtpMailer(SMTP_URL, SMTP_FROM) : null;
}
