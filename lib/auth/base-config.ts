import type { NextAuthConfig } from "next-auth";
import { env } from "@/lib/env";
import { authSecret } from "./secret";

/** Short-lived session cookie; renewed on every request that passes through proxy.ts. */
export const SESSION_MAX_AGE_S = 60 * 60;

/**
 * What the proxy and the full configuration share: how the session cookie is signed, how long it
 * lives and what it holds (only the user id). No adapter, no database: the proxy must not open one.
 */
export function baseAuthConfig(): NextAuthConfig {
  return {
    secret: authSecret(),
    useSecureCookies: secureCookies(),
    // Credentials sign-in requires JWT sessions. Roles are not in the token: they are read from the
    // database on every request (lib/auth/session.ts), so removing a role takes effect at once.
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_S },
    // The host comes from AUTH_URL when set; otherwise from the request, as on `npm run dev`/`start`.
    trustHost: true,
    pages: { signIn: "/sign-in" },
    providers: [],
    callbacks: {
      // auth.ts replaces this at sign-in to stamp the user's session version (it needs the database).
      jwt({ token, user }) {
        if (user?.id) token.sub = user.id;
        return token;
      },
      session({ session, token }) {
        if (token.sub) session.user.id = token.sub;
        session.user.sessionVersion = typeof token.sv === "number" ? token.sv : 0;
        return session;
      },
    },
  };
}

/**
 * Session and CSRF cookies are `Secure` (and `__Secure-`/`__Host-` prefixed) in production, whatever
 * protocol the request claims. The one exception is a production build deliberately served on
 * plain http on this machine (AUTH_URL=http://localhost:…, as the end-to-end suite does), where a
 * browser would not send them back.
 */
export function secureCookies(): boolean {
  const e = env();
  if (e.NODE_ENV !== "production") return e.AUTH_URL?.startsWith("https:") ?? false;
  if (!e.AUTH_URL) return true;
  const url = new URL(e.AUTH_URL);
  return !(url.protocol === "http:" && ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname));
}
