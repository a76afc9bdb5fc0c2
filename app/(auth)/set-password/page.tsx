import Link from "next/link";
import { SetPasswordForm } from "@/components/portal/set-password-form";
import { Alert } from "@/components/ui/alert";

export const metadata = { title: "Choose your password", referrer: "no-referrer" };

/** Where a new staff account's one-time link lands. Opening it spends nothing: only the form's submit does. */
export default async function SetPasswordPage({ searchParams }: { searchParams: Promise<{ user?: string; token?: string }> }) {
  const { user, token } = await searchParams;
  const wellFormed = typeof user === "string" && typeof token === "string" && user.length <= 64 && token.length <= 64;
  return (
    <>
      <h1 className="text-2xl font-bold text-slate-900">Choose your password</h1>
      <p className="mt-1 mb-5 text-sm text-slate-600">This link works once. At least 12 characters; a few words make a good one.</p>
      {wellFormed ? (
        <SetPasswordForm user={user} token={token} />
      ) : (
        <Alert tone="error">This link is incomplete. Copy the whole link you were sent, or ask an administrator for a new one.</Alert>
      )}
      <p className="mt-6 text-center text-sm text-slate-600">
        <Link href="/sign-in" className="font-semibold text-indigo-700 underline-offset-2 hover:underline">
          Sign in
        </Link>
      </p>
    </>
  );
}
