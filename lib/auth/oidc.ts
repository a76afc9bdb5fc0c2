import { env } from "@/lib/env";

/** The OIDC provider is offered only when all three settings are present. */
export function oidcSettings(): { issuer: string; clientId: string; clientSecret: string } | null {
  const e = env();
  if (!e.AUTH_OIDC_ISSUER || !e.AUTH_OIDC_ID || !e.AUTH_OIDC_SECRET) return null;
  return { issuer: e.AUTH_OIDC_ISSUER, clientId: e.AUTH_OIDC_ID, clientSecret: e.AUTH_OIDC_SECRET };
}

export function oidcEnabled(): boolean {
  return oidcSettings() !== null;
}
