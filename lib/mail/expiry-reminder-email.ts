import type { MailMessage } from "./mailer";

export interface ExpiryReminderContent {
  to: string;
  name: string | null;
  points: number;
  /** YYYY-MM-DD, UTC. */
  expiresOn: string;
  thresholdDays: number;
}

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** The reminder email: plain text first, a minimal HTML twin; names are escaped, never trusted. */
export function expiryReminderEmail(content: ExpiryReminderContent): MailMessage {
  const points = content.points.toLocaleString("en-US");
  const when = content.thresholdDays === 1 ? "tomorrow" : `in ${content.thresholdDays} days`;
  const greeting = content.name ? `Hello ${content.name},` : "Hello,";
  const subject = `${points} points expire ${when}`;
  const body = `${points} of your points expire ${when}, on ${content.expiresOn} (UTC). Redeem them before then to keep their value.`;
  return {
    to: content.to,
    subject,
    text: `${greeting}\n\n${body}\n`,
    html: `<p>${escapeHtml(greeting)}</p><p>${escapeHtml(body)}</p>`,
  };
}
