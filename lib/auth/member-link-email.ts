import type { MailMessage, Mailer } from "@/lib/mail/mailer";
import { MEMBER_LINK_TTL_MS } from "./member-link-token";

export interface MemberLinkEmailContent {
  to: string;
  name: string | null;
  url: string;
  expiresAt: Date;
}

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** Says plainly what clicking does, so someone who did not sign up knows to ignore it. */
export function memberLinkEmail(content: MemberLinkEmailContent): MailMessage {
  const minutes = MEMBER_LINK_TTL_MS / 60_000;
  const greeting = content.name ? `Hello ${content.name},` : "Hello,";
  const body = `An account was created on Loyalty Rewards with this email address. To confirm it is yours and bring over the points of your existing membership, open this link while signed in to that account (it works once, for ${minutes} minutes):`;
  const ignore = "If you did not create this account, ignore this email: nothing is linked without this link.";
  return {
    to: content.to,
    subject: "Confirm your email to see your points",
    text: `${greeting}\n\n${body}\n\n${content.url}\n\n${ignore}\n`,
    html: `<p>${escapeHtml(greeting)}</p><p>${escapeHtml(body)}</p><p><a href="${escapeHtml(content.url)}">Confirm my email</a></p><p>${escapeHtml(ignore)}</p>`,
  };
}

/**
 * Sends the link by SMTP when a mailer is configured; otherwise (development) prints it on the
 * server console, so a developer can open it. A failed send throws.
 */
export async function deliverMemberLink(
  mailer: Mailer | null,
  content: MemberLinkEmailContent,
  print: (line: string) => void = (line) => console.info(line),
): Promise<void> {
  if (!mailer) {
    print(`\n[loyalty] SMTP_URL is not set, so the email is not sent. Verification link for ${content.to}:\n  ${content.url}\n`);
    return;
  }
  try {
    await mailer.send(memberLinkEmail(content));
  } finally {
    mailer.close();
  }
}
