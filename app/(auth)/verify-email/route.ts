import { NextResponse, type NextRequest } from "next/server";
import { auth } from "@/auth";
import { getDb } from "@/db/client";
import { verifyMemberLink } from "@/lib/auth/verify-member-link";
import { otherMethods } from "@/lib/http/methods";

function redirectTo(request: NextRequest, path: string) {
  const response = NextResponse.redirect(new URL(path, request.nextUrl.origin), 303);
  // The token is in this URL: keep it out of caches and of the next page's Referer.
  response.headers.set("Cache-Control", "no-store");
  response.headers.set("Referrer-Policy", "no-referrer");
  return response;
}

/**
 * The emailed link. It only works for the account it was sent to, so a signed-out visitor signs in
 * first and comes back here; the token is not spent by that detour.
 */
export async function GET(request: NextRequest) {
  const token = request.nextUrl.searchParams.get("token") ?? "";
  const userId = (await auth())?.user?.id;
  if (!userId) {
    const back = `/verify-email?token=${encodeURIComponent(token.slice(0, 100))}`;
    return redirectTo(request, `/sign-in?notice=verify&callbackUrl=${encodeURIComponent(back)}`);
  }
  const result = await verifyMemberLink(getDb(), userId, token, new Date());
  return redirectTo(request, result.ok ? "/" : `/check-email?error=${result.reason}`);
}

// Other methods answer 405 method_not_allowed (JSON, with Allow), not Next.js's empty 405.
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET");
