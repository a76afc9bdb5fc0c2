import NextAuth from "next-auth";
import { NextResponse, type NextFetchEvent, type NextRequest } from "next/server";
import { baseAuthConfig } from "@/lib/auth/base-config";

// Only the cookie is checked here (no database): it sends signed-out visitors to /sign-in early and
// re-issues the short-lived session cookie while it is in use. Every page and action still checks
// the session and roles itself (lib/auth/session.ts); this is not the security boundary.
const { auth } = NextAuth(() => baseAuthConfig());

const guard = auth((request) => {
  if (request.auth?.user) return NextResponse.next();
  const signIn = new URL("/sign-in", request.nextUrl.origin);
  signIn.searchParams.set("callbackUrl", request.nextUrl.pathname + request.nextUrl.search);
  return NextResponse.redirect(signIn);
});

// With a lazy configuration, Auth.js hands back the wrapped handler as a promise; Next.js wants a
// function it can see in this file, named `proxy`.
type Handler = (request: NextRequest, event: NextFetchEvent) => Promise<Response>;

export async function proxy(request: NextRequest, event: NextFetchEvent) {
  const handler = (await (guard as unknown as Promise<Handler>)) as Handler;
  return handler(request, event);
}

export const config = {
  matcher: ["/", "/history/:path*", "/redeem/:path*", "/notifications/:path*", "/staff/:path*"],
};
