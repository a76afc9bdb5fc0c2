import Link from "next/link";
import { redirect } from "next/navigation";
import { SignUpForm } from "@/components/portal/sign-up-form";
import { getCurrentUser } from "@/lib/auth/session";
import { normalizeReferralCode } from "@/lib/loyalty/rules/referrals";

export const metadata = { title: "Create an account" };

export default async function SignUpPage({ searchParams }: { searchParams: Promise<{ ref?: string | string[] }> }) {
  if (await getCurrentUser()) redirect("/");
  const { ref } = await searchParams;
  const referralCode = typeof ref === "string" ? (normalizeReferralCode(ref) ?? undefined) : undefined;
  return (
    <>
      <h1 className="text-2xl font-bold text-slate-900">Create your account</h1>
      <p className="mt-1 mb-5 text-sm text-slate-600">Earn points on every purchase and redeem them for rewards.</p>
      {referralCode ? <p className="mb-4 text-sm text-slate-700">You were invited by a friend: you both earn points on your first purchase.</p> : null}
      <SignUpForm referralCode={referralCode} />
      <p className="mt-6 text-center text-sm text-slate-600">
        Already a member?{" "}
        <Link href="/sign-in" className="font-semibold text-indigo-700 underline-offset-2 hover:underline">
          Sign in
        </Link>
      </p>
    </>
  );
}
