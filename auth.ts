import { DrizzleAdapter } from "@auth/drizzle-adapter";
import NextAuth, { CredentialsSignin, type NextAuthConfig } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { getDb } from "@/db/client";
import { accounts, sessions, users, verificationTokens } from "@/db/schema";
import { verifyCredentials } from "@/lib/auth/credentials";
import { clientAddress } from "@/lib/auth/client-address";
import { onOAuthUserCreated } from "@/lib/auth/oauth-user";
import { oidcSettings } from "@/lib/auth/oidc";
import { authSecret } from "@/lib/auth/secret";
import { signInThrottle } from "@/lib/auth/sign-in-throttle";

/** Surfaced to the sign-in form as `error.code`, so it can say "try again later" rather than "wrong password". */
export class ThrottledSignIn extends CredentialsSignin {
  code = "throttled";
}

const SESSION_MAX_AGE_S = 60 * 60;

function oidcProvider(): NextAuthConfig["providers"] {
  const settings = oidcSettings();
  if (!settings) return [];
  // An OIDC identity never takes over an existing password account with the same email.
  return [{ id: "oidc", name: "Single sign-on", type: "oidc", ...settings, allowDangerousEmailAccountLinking: false }];
}

// The configuration is built per request, not at import: `next build` imports this module and must
// neither open the database nor demand AUTH_SECRET.
export const { handlers, auth, signIn, signOut } = NextAuth(() => {
  const db = getDb();
  return {
    adapter: DrizzleAdapter(db, {
      usersTable: users,
      accountsTable: accounts,
      sessionsTable: sessions,
      verificationTokensTable: verificationTokens,
    }),
    secret: authSecret(),
    // Credentials sign-in requires JWT sessions. The cookie holds only the user id; roles are read
    // from the database on every request (lib/auth/session.ts). Short-lived, renewed while in use.
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_S },
    // The host comes from AUTH_URL when set; otherwise from the request, as on `npm run dev`/`start`.
    trustHost: true,
    pages: { signIn: "/sign-in" },
    providers: [
      Credentials({
        credentials: { email: { type: "email" }, password: { type: "password" } },
        async authorize(credentials, request) {
          const result = await verifyCredentials(db, signInThrottle(), credentials, clientAddress(request.headers));
          if (result.ok) return result.user;
          if (result.reason === "throttled") throw new ThrottledSignIn();
          return null;
        },
      }),
      ...oidcProvider(),
    ],
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
    events: {
      createUser: async ({ user }) => {
        if (user.id) await onOAuthUserCreated(db, user.id);
      },
    },
  } satisfies NextAuthConfig;
});
