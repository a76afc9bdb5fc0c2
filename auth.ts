import { DrizzleAdapter } from "@auth/drizzle-adapter";
import NextAuth, { CredentialsSignin, type NextAuthConfig } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { getDb } from "@/db/client";
import { accounts, sessions, users, verificationTokens } from "@/db/schema";
import { baseAuthConfig } from "@/lib/auth/base-config";
import { verifyCredentials } from "@/lib/auth/credentials";
import { clientAddress } from "@/lib/auth/client-address";
import { proxyTrust } from "@/lib/auth/proxy-trust";
import { onOAuthUserCreated } from "@/lib/auth/oauth-user";
import { oidcSettings } from "@/lib/auth/oidc";
import { signInThrottle } from "@/lib/auth/sign-in-throttle";
import { currentSessionVersion } from "@/lib/auth/session-user";

/** Surfaced to the sign-in form as `error.code`, so it can say "try again later" rather than "wrong password". */
export class ThrottledSignIn extends CredentialsSignin {
  code = "throttled";
}

/** The password was right; the account's second factor is wanted (missing or wrong). */
export class SecondFactorSignIn extends CredentialsSignin {
  code = "second_factor";
}

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
  const baseConfig = baseAuthConfig();
  return {
    ...baseConfig,
    adapter: DrizzleAdapter(db, {
      usersTable: users,
      accountsTable: accounts,
      sessionsTable: sessions,
      verificationTokensTable: verificationTokens,
    }),
    providers: [
      Credentials({
        credentials: { email: { type: "email" }, password: { type: "password" }, code: { type: "text" } },
        async authorize(credentials, request) {
          const result = await verifyCredentials(db, signInThrottle(), credentials, clientAddress(request.headers, proxyTrust()));
          if (result.ok) return result.user;
          if (result.reason === "throttled") throw new ThrottledSignIn();
          if (result.reason === "second_factor") throw new SecondFactorSignIn();
          return null;
        },
      }),
      ...oidcProvider(),
    ],
    callbacks: {
      ...baseConfig.callbacks,
      // At sign-in (any provider), the cookie gets the user's current session version; afterwards
      // it is kept as it was, so a bump in the database ends the session (lib/auth/session-user.ts).
      async jwt({ token, user }) {
        if (user?.id) {
          token.sub = user.id;
          token.sv = await currentSessionVersion(db, user.id);
        }
        return token;
      },
    },
    events: {
      createUser: async ({ user }) => {
        if (user.id) await onOAuthUserCreated(db, user.id);
      },
    },
  } satisfies NextAuthConfig;
});
