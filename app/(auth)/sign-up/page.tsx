import Link from "next/link";
import { redirect } from "next/navigation";
import { SignUpForm } from "@/components/portal/sign-up-form";
import { getCurrentUser } from "@/lib/auth/session";

export const metadata = { title: "Create an account" };

export default async function SignUpPage() {
  if (await getCurrentUser()) redirect("/");
  return (
    <>
      <h1 className="text-2xl font-bold text-slate-900">Create your account</h1>
      <p className="mt-1 mb-5 text-sm text-slate-600">Earn points on every purchase and redeem them for rewards.</p>
      <SignUpForm />
      <p className="mt-6 text-center text-sm text-slate-600">
        Already a member?{" "}
        <Link href="/sign-in" className="font-semibold text-indigo-700 underline-offset-2 hover:underline">
          Sign in
        </Link>
      </p>
    </>
  );
}
