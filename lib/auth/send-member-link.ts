import { headers } from "next/headers";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { mailerFromEnv } from "@/lib/mail/mailer";
import { memberLinkOrigin, memberLinkUrl } from "./link-origin";
import { deliverMemberLink } from "./member-link-email";

async function requestOrigin(): Promise<string> {
  const h = await headers();
  const host = h.get("x-forwarded-host") ?? h.get("host") ?? "localhost:3000";
  const proto = h.get("x-forwarded-proto") ?? (host.startsWith("localhost") ? "http" : "https");
  return `${proto}://${host}`;
}

/**
 * Server actions: emails (or, without SMTP, prints) the verification link. Never throws: the
 * account exists either way and the /check-email page can send a new link; false tells the
 * caller to say so.
 */
export async function sendMemberLink(to: string, name: string | null, token: string, expiresAt: Date): Promise<boolean> {
  try {
    const e = env();
    const origin = memberLinkOrigin({ authUrl: e.AUTH_URL, nodeEnv: e.NODE_ENV, emailing: Boolean(e.SMTP_URL), requestOrigin: await requestOrigin() });
    await deliverMemberLink(mailerFromEnv(), { to, name, url: memberLinkUrl(origin, token), expiresAt });
    return true;
  } catch (error) {
    log().error({ err: error }, "member link email not sent");
    return false;
  }
}
