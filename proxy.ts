import NextAuth from "next-auth";
import { NextRequest, NextResponse, type NextFetchEvent } from "next/server";
import { baseAuthConfig } from "@/lib/auth/base-config";
import { oidcSettings } from "@/lib/auth/oidc";
import { env } from "@/lib/env";
import { newNonce, pageContentSecurityPolicy } from "@/lib/http/security-headers";

// Two jobs, for every page (not the API, not static files):
// 1. A fresh nonce and the Content-Security-Policy built on it, on the request (Next.js reads the
//    nonce from there and puts it on its scripts) and on the response.
// 2. For the signed-in areas, only the cookie is checked (no database): signed-out visitors go to
//    /sign-in early and the short-lived session cookie is re-issued while in use. Every page and
//    action still checks the session and roles itself (lib/auth/session.ts); this is not the
//    security boundary.
const { auth } = NextAuth(() => baseAuthConfig());

const SIGNED_IN_AREAS = /^\/(?:$|(?:history|redeem|notifications|staff|account)(?:\/|$))/;

function pagePolicy(): string {
  const e = env();
  const oidcIssuer = oidcSettings()?.issuer;
  return pageContentSecurityPolicy({
    nonce: newNonce(),
    development: e.NODE_ENV === "development",
    https: e.AUTH_URL?.startsWith("https:") ?? false,
    formTargets: oidcIssuer ? [new URL(oidcIssuer).origin] : [],
  });
}

function withPolicy(request: NextRequest, policy: string): NextResponse {
  const headers = new Headers(request.headers);
  headers.set("Content-Security-Policy", policy);
  return NextResponse.next({ request: { headers } });
}

const guard = auth((request) => {
  // proxy() put this request's policy on the request before handing it here.
  const policy = request.headers.get("content-security-policy") ?? pagePolicy();
  if (request.auth?.user) return withPolicy(request, policy);
  const signIn = new URL("/sign-in", request.nextUrl.origin);
  signIn.searchParams.set("callbackUrl", request.nextUrl.pathname + request.nextUrl.search);
  return NextResponse.redirect(signIn);
});

// With a lazy configuration, Auth.js hands back the wrapped handler as a promise; Next.js wants a
// function it can see in this file, named `proxy`.
type Handler = (request: NextRequest, event: NextFetchEvent) => Promise<Response>;

export async function proxy(request: NextRequest, event: NextFetchEvent) {
  // Whatever Content-Security-Policy request header a client sent is replaced by ours.
  const policy = pagePolicy();
  let response: Response;
  if (SIGNED_IN_AREAS.test(request.nextUrl.pathname)) {
    const headers = new Headers(request.headers);
    headers.set("Content-Security-Policy", policy);
    const handler = (await (guard as unknown as Promise<Handler>)) as Handler;
    response = await handler(new NextRequest(request, { headers }), event);
  } else {
    response = withPolicy(request, policy);
  }
  response.headers.set("Content-Security-Policy", policy);
  return response;
}

export const config = {
  matcher: [
    {
      source: "/((?!api/|_next/static/|_next/image|favicon.ico).*)",
      // Prefetches are not rendered pages: they need no nonce of their own.
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
