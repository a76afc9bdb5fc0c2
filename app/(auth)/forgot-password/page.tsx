import Link from "next/link";
import { ForgotPasswordForm } from "@/components/portal/forgot-password-form";

export const metadata = { title: "Reset your password" };

export default function ForgotPasswordPage() {
  return (
    <>
      <h1 className="text-2xl font-bold text-slate-900">Reset your password</h1>
      <p className="mt-1 mb-5 text-sm text-slate-600">We email you a link to choose a new one. It works once, for one hour.</p>
      <ForgotPasswordForm />
      <p className="mt-6 text-center text-sm text-slate-600">
        <Link href="/sign-in" className="font-semibold text-indigo-700 underline-offset-2 hover:underline">
          Back to sign in
        </Link>
      </p>
    </>
  );
}
