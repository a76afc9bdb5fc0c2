import Link from "next/link";
import { redirect } from "next/navigation";
import { signOutAction } from "@/app/(auth)/sign-out-action";
import { ResendLinkForm } from "@/components/portal/resend-link-form";
import { Alert } from "@/components/ui/alert";
import { buttonClass } from "@/components/ui/button-class";
import { getDb } from "@/db/client";
import { MEMBER_LINK_TTL_MS } from "@/lib/auth/member-link-token";
import { pendingMemberLink } from "@/lib/auth/resend-member-link";
import { getCurrentUser } from "@/lib/auth/session";

export const metadata = { title: "Check your email" };

const ERRORS: Record<string, string> = {
  invalid: "That link does not work for this account: it was already used, replaced by a newer one, or belongs to another account.",
  expired: "That link has expired. Ask for a new one below.",
  claimed: "That membership is already linked to another account. Please contact support.",
  unsent: "We could not send the email just now. Ask for a new link below.",
};

/** Where a new account waits until the emailed link proves the email (and so the member's points) is theirs. */
export default async function CheckEmailPage({ searchParams }: { searchParams: Promise<{ error?: string }> }) {
  const { error } = await searchParams;
  // Own keys only: `?error=__proto__` used to find Object.prototype and fail the render (500).
  const message = typeof error === "string" && Object.hasOwn(ERRORS, error) ? ERRORS[error] : undefined;
  const user = await getCurrentUser();
  if (!user) {
    return (
      <>
        <h1 className="text-2xl font-bold text-slate-900">Confirm your email</h1>
        {message ? (
          <div className="mt-4">
            <Alert tone="error">{message}</Alert>
          </div>
        ) : null}
        <p className="mt-4 text-sm text-slate-600">Sign in to the account the link was sent for, then open the link again.</p>
        <Link href="/sign-in" className={`${buttonClass("primary")} mt-5 w-full`}>
          Sign in
        </Link>
      </>
    );
  }
  if (user.memberId !== null) redirect("/");
  const live = await pendingMemberLink(getDb(), user.id, new Date());
  return (
    <>
      <h1 className="text-2xl font-bold text-slate-900">Check your email</h1>
      {message ? (
        <div className="mt-4">
          <Alert tone="error">{message}</Alert>
        </div>
      ) : null}
      <p className="mt-4 text-sm text-slate-700">
        {live ? (
          <>
            We sent a link to <strong>{user.email}</strong>. Open it in this browser to confirm the email is yours; your points appear as soon as you do. The
            link works once and expires {MEMBER_LINK_TTL_MS / 60_000} minutes after it was sent.
          </>
        ) : (
          <>
            You already have a membership under <strong>{user.email}</strong>. To protect its points, confirm the email is yours with the link we send there.
          </>
        )}
      </p>
      <div className="mt-5 space-y-3">
        <ResendLinkForm label={live ? "Send a new link" : "Send me the link"} />
        <form action={signOutAction}>
          <button type="submit" className={`${buttonClass("ghost")} w-full`}>
            Sign out
          </button>
        </form>
      </div>
    </>
  );
}
