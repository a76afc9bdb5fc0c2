import { headers } from "next/headers";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { mailerFromEnv, type MailMessage } from "@/lib/mail/mailer";
import { memberLinkOrigin } from "./link-origin";
import { passwordLinkUrl } from "./password-link";

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

export function passwordResetEmail(content: { to: string; name: string | null; url: string }): MailMessage {
  const greeting = content.name ? `Hello ${content.name},` : "Hello,";
  const body =
    "Someone asked to reset the password of your Loyalty Rewards account. To choose a new one, open this link (it works once, for one hour); every device signed in to the account will be signed out:";
  const ignore = "If you did not ask for this, ignore this email: your password stays as it is.";
  return {
    to: content.to,
    subject: "Reset your password",
    text: `${greeting}\n\n${body}\n\n${content.url}\n\n${ignore}\n`,
    html: `<p>${escapeHtml(greeting)}</p><p>${escapeHtml(body)}</p><p><a href="${escapeHtml(content.url)}">Choose a new password</a></p><p>${escapeHtml(ignore)}</p>`,
  };
}

async function requestOrigin(): Promise<string> {
  const h = await headers();
  const host = h.get("x-forwarded-host") ?? h.get("host") ?? "localhost:3000";
  const proto = h.get("x-forwarded-proto") ?? (host.startsWith("localhost") ? "http" : "https");
  return `${proto}://${host}`;
}

/**
 * Server action side: emails the reset link (without SMTP, in development, prints it on the server
 * console as the member link does). The link's origin follows the member link's rule: AUTH_URL,
 * never the request's Host when emailing in production. Never throws: the form says the same
 * thing whatever happened, so it cannot tell who has an account.
 */
export async function sendPasswordReset(to: string, name: string | null, userId: string, token: string): Promise<void> {
  try {
    const e = env();
    const origin = memberLinkOrigin({ authUrl: e.AUTH_URL, nodeEnv: e.NODE_ENV, emailing: Boolean(e.SMTP_URL), requestOrigin: await requestOrigin() });
    const url = passwordLinkUrl(origin, userId, token);
    const mailer = mailerFromEnv();
    if (!mailer) {
      console.info(`\n[loyalty] SMTP_URL is not set, so the email is not sent. Password reset link for ${to}:\n  ${url}\n`);
      return;
    }
    try {
      await mailer.send(passwordResetEmail({ to, name, url }));
    } finally {
      mailer.close();
    }
  } catch (error) {
    log().error({ err: error }, "password reset email not sent");
  }
}
