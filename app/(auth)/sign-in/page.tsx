import Link from "next/link";
import { redirect } from "next/navigation";
import { SignInForm } from "@/components/portal/sign-in-form";
import { Alert } from "@/components/ui/alert";
import { getCurrentUser } from "@/lib/auth/session";
import { safeRedirectPath } from "@/lib/auth/safe-redirect";
import { oidcSignInAction } from "./oidc-sign-in-action";
import { oidcEnabled } from "@/lib/auth/oidc";

export const metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string; notice?: string }> }) {
  const { callbackUrl, notice } = await searchParams;
  const target = safeRedirectPath(callbackUrl);
  if (await getCurrentUser()) redirect(target);
  return (
    <>
      <h1 className="text-2xl font-bold text-slate-900">Sign in</h1>
      <p className="mt-1 mb-5 text-sm text-slate-600">Check your points and redeem rewards.</p>
      {notice === "verify" ? (
        <div className="mb-4">
          <Alert tone="info">Sign in to the account you created to confirm your email.</Alert>
        </div>
      ) : null}
      {notice === "signed-out" ? (
        <div className="mb-4">
          <Alert tone="info">You are signed out on every device.</Alert>
        </div>
      ) : null}
      {notice === "password" ? (
        <div className="mb-4">
          <Alert tone="info">Your password is changed. Sign in with the new one.</Alert>
        </div>
      ) : null}
      <SignInForm callbackUrl={target} />
      {oidcEnabled() ? (
        <form action={oidcSignInAction} className="mt-3">
          <input type="hidden" name="callbackUrl" value={target} />
          <button
            type="submit"
            className="min-h-11 w-full rounded-lg bg-white px-4 py-2 text-sm font-semibold text-slate-900 ring-1 ring-slate-300 ring-inset hover:bg-slate-50"
          >
            Continue with single sign-on
          </button>
        </form>
      ) : null}
      <p className="mt-4 text-center text-sm">
        <Link href="/forgot-password" className="font-semibold text-indigo-700 underline-offset-2 hover:underline">
          Forgot your password?
        </Link>
      </p>
      <p className="mt-6 text-center text-sm text-slate-600">
        New here?{" "}
        <Link href="/sign-up" className="font-semibold text-indigo-700 underline-offset-2 hover:underline">
          Create an account
        </Link>
      </p>
    </>
  );
}
