import type { NextAuthConfig } from "next-auth";
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
    // Credentials sign-in requires JWT sessions. Roles are not in the token: they are read from the
    // database on every request (lib/auth/session.ts), so removing a role takes effect at once.
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_S },
    // The host comes from AUTH_URL when set; otherwise from the request, as on `npm run dev`/`start`.
    trustHost: true,
    pages: { signIn: "/sign-in" },
    providers: [],
    callbacks: {
      jwt({ token, user }) {
        if (user?.id) token.sub = user.id;
        return token;
      },
      session({ session, token }) {
        if (token.sub) session.user.id = token.sub;
        return session;
      },
    },
  };
}
