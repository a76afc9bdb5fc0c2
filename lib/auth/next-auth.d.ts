import "next-auth";
import "next-auth/jwt";

// What our session and token carry beyond Auth.js's defaults (lib/auth/base-config.ts, auth.ts).
declare module "next-auth" {
  interface Session {
    user: { id: string; sessionVersion: number } & DefaultSession["user"];
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    /** users.session_version when the cookie was issued. */
    sv?: number;
  }
}

import type { DefaultSession } from "next-auth";
