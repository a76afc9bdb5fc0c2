/**
 * The origin put in emailed links. The request's Host header is the attacker's to choose: a link
 * built from it would carry a real token to their site. So AUTH_URL decides when set; the request
 * is trusted only when nothing is emailed (the link is printed on the server console) or outside
 * production.
 */
export function memberLinkOrigin(settings: {
  authUrl: string | undefined;
  nodeEnv: "development" | "test" | "production";
  emailing: boolean;
  requestOrigin: string;
}): string {
  if (settings.authUrl) return new URL(settings.authUrl).origin;
  if (settings.nodeEnv === "production" && settings.emailing) {
    throw new Error("AUTH_URL is required to email verification links in production (the request host cannot be trusted).");
  }
  return settings.requestOrigin;
}

export function memberLinkUrl(origin: string, token: string): string {
  const url = new URL("/verify-email", origin);
  url.searchParams.set("token", token);
  return url.toString();
}
