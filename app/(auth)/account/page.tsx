import Link from "next/link";
import { signOutEverywhereAction } from "./account-actions";
import { ChangePasswordForm } from "@/components/portal/change-password-form";
import { TwoFactorPanel } from "@/components/portal/two-factor-panel";
import { Alert } from "@/components/ui/alert";
import { requireUser } from "@/lib/auth/session";

export const metadata = { title: "Your account" };

export default async function AccountPage({ searchParams }: { searchParams: Promise<{ changed?: string }> }) {
  const user = (await requireUser()) as Awaited<ReturnType<typeof requireUser>> & { staffRolesHeldBack?: boolean };
  const { changed } = await searchParams;
  return (
    <>
      <h1 className="text-2xl font-bold text-slate-900">Your account</h1>
      <p className="mt-1 mb-5 text-sm text-slate-600">Signed in as {user.email}.</p>
      {changed ? (
        <div className="mb-4">
          <Alert tone="success">Your password is changed. Every other device was signed out.</Alert>
        </div>
      ) : null}
      <h2 className="mb-3 text-lg font-semibold text-slate-900">Change your password</h2>
      <ChangePasswordForm />
      <h2 className="mt-8 mb-3 text-lg font-semibold text-slate-900">Two-factor authentication</h2>
      {user.staffRolesHeldBack ? (
        <div className="mb-3">
          <Alert tone="error">Your staff roles need two-factor authentication (STAFF_MFA=required): they work again as soon as it is on.</Alert>
        </div>
      ) : null}
      <TwoFactorPanel enabled={user.totpEnabled === true} />
      {user.memberId !== null ? (
        <>
          <h2 className="mt-8 mb-2 text-lg font-semibold text-slate-900">Your data</h2>
          <p className="mb-3 text-sm text-slate-600">
            Everything we hold about your membership (profile, points history, holds, notifications, check-ins and the record of changes to it), as one JSON
            file.
          </p>
          <a
            href="/my-data"
            download
            className="inline-flex min-h-11 w-full items-center justify-center rounded-lg bg-white px-4 py-2 text-sm font-semibold text-indigo-700 ring-1 ring-indigo-300 ring-inset hover:bg-indigo-50"
          >
            Download my data
          </a>
        </>
      ) : null}
      <h2 className="mt-8 mb-2 text-lg font-semibold text-slate-900">Sign out everywhere</h2>
      <p className="mb-3 text-sm text-slate-600">Ends every session of this account, on every device, this one included.</p>
      <form action={signOutEverywhereAction}>
        <button
          type="submit"
          className="min-h-11 w-full rounded-lg bg-white px-4 py-2 text-sm font-semibold text-red-700 ring-1 ring-red-300 ring-inset hover:bg-red-50"
        >
          Sign out everywhere
        </button>
      </form>
      <p className="mt-6 text-center text-sm text-slate-600">
        <Link href="/" className="font-semibold text-indigo-700 underline-offset-2 hover:underline">
          Back
        </Link>
      </p>
    </>
  );
}
